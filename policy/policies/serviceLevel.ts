import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Secret, type StackValidationPolicy } from "@pulumi/policy";
import type { ResourceView } from "pulumi-jobrouter/simulator";
import type * as Simulator from "pulumi-jobrouter/simulator";
import { configOf, isUnknown, keys, field, items, kindOf, unwrap, type SchemaWithDefaults } from "./common";

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

export interface ServiceLevelConfig {
  /** The traffic to simulate (the `traffic` object of a scenario), as a JSON file. */
  trafficFile: string;
  /** Lowest share (0..1) of a queue's answered-or-abandoned callers answered within serviceLevelSeconds. */
  minServiceLevel: number;
  /** Highest share (0..1) of a queue's callers who abandon. */
  maxAbandonRate: number;
  /**
   * Bounds for single queues, by queue id, overriding the two above: an escalation queue only receives callers who
   * already waited past a threshold, so its service level (counted from arrival) is near 0 by design.
   */
  queueBounds: Record<string, { minServiceLevel?: number; maxAbandonRate?: number }>;
}

const schema: SchemaWithDefaults = {
  properties: {
    trafficFile: {
      type: "string",
      default: "traffic.json",
      description:
        "JSON file with the traffic to simulate (workers, arrivals, seed; see docs/simulation.md). A relative path is resolved against the policy pack's directory.",
    },
    minServiceLevel: {
      type: "number",
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description: "Lowest allowed simulated service level per queue (0..1).",
    },
    maxAbandonRate: {
      type: "number",
      minimum: 0,
      maximum: 1,
      default: 0.1,
      description: "Highest allowed simulated abandonment rate per queue (0..1).",
    },
    queueBounds: {
      type: "object",
      default: {},
      description:
        'Per-queue overrides by queue id, e.g. { "escalations": { "minServiceLevel": 0 } }: each may set minServiceLevel and maxAbandonRate.',
      additionalProperties: {
        type: "object",
        properties: {
          minServiceLevel: { type: "number", minimum: 0, maximum: 1 },
          maxAbandonRate: { type: "number", minimum: 0, maximum: 1 },
        },
        additionalProperties: false,
      },
    },
  },
};

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
    const file = path.resolve(cfg.trafficFile);
    let traffic: unknown;
    try {
      traffic = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      report(
        `trafficFile ${JSON.stringify(cfg.trafficFile)} must be a readable JSON traffic file (${err instanceof Error ? err.message : String(err)}).`,
      );
      return;
    }
    const simulator = loadSimulator();
    if (typeof simulator === "string") {
      report(simulator);
      return;
    }
    const result = await simulator.simulate({ config: simulator.configFromResources(views), traffic });
    const sl = result.after.serviceLevelSeconds;
    for (const [queueId, q] of Object.entries(result.after.queues)) {
      if (q.arrived === 0) continue;
      const minServiceLevel = cfg.queueBounds[queueId]?.minServiceLevel ?? cfg.minServiceLevel;
      const maxAbandonRate = cfg.queueBounds[queueId]?.maxAbandonRate ?? cfg.maxAbandonRate;
      if (q.serviceLevel < minServiceLevel) {
        report(
          `queue "${queueId}" must answer at least ${pct(minServiceLevel)} of its callers within ${sl} s, but the simulation of ${cfg.trafficFile} answers ${pct(q.serviceLevel)}.`,
        );
      }
      if (q.abandonRate > maxAbandonRate) {
        report(
          `queue "${queueId}" must lose at most ${pct(maxAbandonRate)} of its callers to abandonment, but the simulation of ${cfg.trafficFile} loses ${pct(q.abandonRate)}.`,
        );
      }
    }
  },
};
