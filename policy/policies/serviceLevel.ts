import { readFileSync } from "node:fs";
import { Secret, type ReportViolation, type StackValidationPolicy } from "@pulumi/policy";
import type { QueueStats, ResourceView } from "pulumi-jobrouter/simulator";
import type * as Simulator from "pulumi-jobrouter/simulator";
import { configOf, isUnknown, keys, field, items, kindOf, unwrap } from "./common";
import {
  configProblems,
  resolveTrafficFile,
  schema,
  unknownQueueBounds,
  type ServiceLevelConfig,
} from "./serviceLevelConfig";

export type { ServiceLevelConfig, QueueBound } from "./serviceLevelConfig";

/**
 * The simulator comes from pulumi-jobrouter (an optional peer dependency of the pack), loaded only when this policy is
 * enabled, so the other policies work in a project that installed the pack alone.
 */
function loadSimulator(): typeof Simulator | string {
  try {
    return require("pulumi-jobrouter/simulator") as typeof Simulator;
  } catch (err) {
    return `service-level-guardrail must load the simulator from the package pulumi-jobrouter (install it next to the policy pack: npm install pulumi-jobrouter): ${err instanceof Error ? err.message.split("\n")[0] : String(err)}.`;
  }
}

export const SERVICE_LEVEL_GUARDRAIL = "service-level-guardrail";

/** Marker thrown while copying props: a routing value is only known after deployment. */
class UnknownValue extends Error {}

/** The props as plain JSON: proxies stripped, secrets revealed (they stay in this process), unknowns refused. */
function plain(v: unknown): unknown {
  const u = unwrap(v);
  if (isUnknown(u)) throw new UnknownValue();
  if (u instanceof Secret) return plain(u.value);
  if (Array.isArray(u)) return items(u).map(plain);
  if (typeof u === "object" && u !== null) {
    const out: Record<string, unknown> = {};
    for (const k of keys(u)) out[k] = plain(field(u, k));
    return out;
  }
  return u;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Runs the routing simulator on the proposed configuration with the configured traffic: a change that looks harmless
 * in the diff (a weight, an expiry, a threshold) can starve a queue, and only simulating it shows that.
 */
export const serviceLevelGuardrail: StackValidationPolicy = {
  name: SERVICE_LEVEL_GUARDRAIL,
  description:
    "Every queue must keep, in a simulation of the configured traffic, a service level of at least minServiceLevel and an abandonment rate of at most maxAbandonRate.",
  // Off by default: it needs a traffic file describing this stack's callers. The policy config turns it on with
  // { "service-level-guardrail": { "enforcementLevel": "mandatory", "trafficFile": "..." } }.
  enforcementLevel: "disabled",
  severity: "high",
  configSchema: schema,
  remediationSteps:
    "Run `jobrouter-simulate` with the same traffic to see the change per queue, then adjust the routing change, the staffing in the traffic file, or the bounds of service-level-guardrail in the policy config.",
  validateStack: async (args, report) => {
    // Config mistakes first: a misspelt bound would otherwise be silently replaced by its default.
    const problems = configProblems(args.getConfig<Record<string, unknown>>());
    for (const p of problems) report(p);
    if (problems.length > 0) return;
    const cfg = configOf<ServiceLevelConfig>(schema, args);
    const views: ResourceView[] = [];
    try {
      for (const r of args.resources) {
        if (kindOf(r.type) === undefined) continue;
        views.push({ type: r.type, name: r.name, props: plain(r.props) });
      }
    } catch (err) {
      // A routing value computed during preview: the configuration is not known yet; `pulumi up` checks it again.
      if (err instanceof UnknownValue) return;
      throw err;
    }
    if (views.length === 0) return;
    const file = resolveTrafficFile(cfg.trafficFile);
    let traffic: unknown;
    try {
      traffic = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      report(
        `trafficFile ${JSON.stringify(cfg.trafficFile)} must be a readable JSON traffic file (${err instanceof Error ? err.message : String(err)}). ` +
          `A relative path is resolved against the Pulumi project's directory; here that is ${file}.`,
      );
      return;
    }
    const simulator = loadSimulator();
    if (typeof simulator === "string") {
      report(simulator);
      return;
    }
    await judge(simulator, views, traffic, cfg, report);
  },
};

/** A problem of the scenario (the stack's routing with the traffic file) as a violation: what, where, and the fix. */
function scenarioProblem(p: string, trafficFile: string): string {
  if (p.startsWith("traffic")) {
    return (
      `the traffic in ${trafficFile} does not fit the stack's routing: ${p}. ` +
      `Fix: update ${trafficFile} to the stack (a renamed queue's new id, a removed queue's workers and arrivals), ` +
      `or fix the routing it names; until then the simulation cannot judge this change.`
    );
  }
  return (
    `the stack's routing cannot be simulated: ${p.replace(/^config\./, "")}. ` +
    `Fix: correct that field (references-resolve names the resource that holds a dangling reference); ` +
    `the simulation runs once the routing is consistent.`
  );
}

/** Simulate and compare every queue with its bounds; a scenario problem is a violation that says what to fix. */
async function judge(
  simulator: typeof Simulator,
  views: ResourceView[],
  traffic: unknown,
  cfg: ServiceLevelConfig,
  report: ReportViolation,
): Promise<void> {
  const config = simulator.resourcesToConfig(views);
  for (const p of unknownQueueBounds(
    cfg,
    config.queues.map((q) => q.id),
  ))
    report(p);
  let result: Awaited<ReturnType<typeof simulator.simulate>>;
  try {
    // The routing and the traffic are checked together: every problem of both is named in one preview.
    result = await simulator.simulate({ config, traffic });
  } catch (err) {
    if (!(err instanceof simulator.ScenarioError)) {
      // Never a crash: a crash would hide every other policy's result from the preview.
      report(
        `the simulation of ${cfg.trafficFile} failed: ${err instanceof Error ? err.message : String(err)}. ` +
          `Fix: run jobrouter-simulate with the same traffic to see the problem, and correct the traffic or the routing.`,
      );
      return;
    }
    for (const p of err.problems) report(scenarioProblem(p, cfg.trafficFile));
    return;
  }
  const sl = result.after.serviceLevelSeconds;
  const of = `the simulation of ${cfg.trafficFile}`;
  for (const [queueId, q] of Object.entries(result.after.queues)) {
    if (q.arrived === 0) continue;
    const bound = (k: "minServiceLevel" | "maxAbandonRate" | "maxCancelRate"): number =>
      cfg.queueBounds[queueId]?.[k] ?? cfg[k];
    const callers = (s: QueueStats): string =>
      `${s.arrived} callers: ${s.answered} answered, ${s.abandoned} abandoned, ${s.cancelled} cancelled`;
    if (q.serviceLevel !== null && q.serviceLevel < bound("minServiceLevel")) {
      report(
        `queue "${queueId}" must answer at least ${pct(bound("minServiceLevel"))} of its callers within ${sl} s, but ${of} answers ${pct(q.serviceLevel)} (${callers(q)}).`,
      );
    }
    if (q.abandonRate !== null && q.abandonRate > bound("maxAbandonRate")) {
      report(
        `queue "${queueId}" must lose at most ${pct(bound("maxAbandonRate"))} of its callers to abandonment, but ${of} loses ${pct(q.abandonRate)}.`,
      );
    }
    if (q.cancelRate !== null && q.cancelRate > bound("maxCancelRate")) {
      report(
        `queue "${queueId}" must cancel at most ${pct(bound("maxCancelRate"))} of its callers, but ${of} cancels ${pct(q.cancelRate)} (${q.cancelled} of ${q.arrived}: cancelled by an exception rule, a failed classification, or never served).`,
      );
    }
  }
}
