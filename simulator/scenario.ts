// The scenario format (docs/simulation.md) and its validation. Every error names the field path and the rule, and
// all of them are found before anything runs.

import type { Labels, RouterWorkerSelectorInput, RouterChannel, RouterRule } from "../provider/client/models";
import { LABEL_OPERATORS } from "../provider/client/models";
import type { RoutingConfig } from "../routing/config";
import type { Duration } from "./random";

export interface WorkerGroup {
  count: number;
  idPrefix: string;
  queues: string[];
  labels?: Labels;
  capacity: number;
  channels: RouterChannel[];
  shift?: { startSeconds: number; endSeconds: number };
}

export interface LabelMixEntry {
  weight: number;
  labels: Labels;
}

export interface ArrivalStream {
  /** Names the stream in the report's per-stream figures (default: arrivals[i]). */
  name?: string;
  channelId: string;
  queueId?: string;
  classificationPolicyId?: string;
  ratePerHour?: number;
  ratePerHourByHour?: number[];
  labels?: Labels;
  labelMix?: LabelMixEntry[];
  priority?: number;
  requestedWorkerSelectors?: RouterWorkerSelectorInput[];
  handleSeconds: Duration;
  patienceSeconds?: Duration;
}

export interface WorkerBehaviour {
  /** Seconds from an offer to the worker's answer (default 0: immediate). */
  acceptSeconds?: Duration;
  /** Probability that the answer is a decline (default 0). */
  declineProbability?: number;
}

export interface Traffic {
  durationSeconds: number;
  warmupSeconds?: number;
  seed: number;
  /** One service-level threshold, or several (the report gives a service level for each; the first is the main one). */
  serviceLevelSeconds?: number | number[];
  workers: WorkerGroup[];
  arrivals: ArrivalStream[];
  workerBehaviour?: WorkerBehaviour;
}

export interface Scenario {
  config?: RoutingConfig;
  before?: RoutingConfig;
  after?: RoutingConfig;
  traffic: Traffic;
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid scenario:\n  - ${problems.join("\n  - ")}`);
    this.name = "ScenarioError";
  }
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);
const isNum = (v: Json): v is number => typeof v === "number" && Number.isFinite(v);
const isPrim = (v: Json): boolean => v === null || ["string", "number", "boolean"].includes(typeof v);

class Checker {
  readonly problems: string[] = [];
  fail(path: string, rule: string): void {
    this.problems.push(`${path}: ${rule}`);
  }
  number(v: Json, path: string, o: { min?: number; gt?: number; max?: number; integer?: boolean } = {}): boolean {
    if (!isNum(v)) return (this.fail(path, "must be a number"), false);
    if (o.integer && !Number.isInteger(v)) return (this.fail(path, "must be an integer"), false);
    if (o.min !== undefined && v < o.min) return (this.fail(path, `must be at least ${o.min}`), false);
    if (o.gt !== undefined && v <= o.gt) return (this.fail(path, `must be greater than ${o.gt}`), false);
    if (o.max !== undefined && v > o.max) return (this.fail(path, `must be at most ${o.max}`), false);
    return true;
  }
  string(v: Json, path: string): boolean {
    if (typeof v !== "string" || v === "") return (this.fail(path, "must be a non-empty string"), false);
    return true;
  }
  labels(v: Json, path: string): void {
    if (v === undefined) return;
    if (!isObj(v)) return this.fail(path, "must be an object of labels");
    for (const [k, x] of Object.entries(v))
      if (!isPrim(x)) this.fail(`${path}.${k}`, "must be a string, number, boolean or null");
  }
  duration(v: Json, path: string): void {
    if (!isObj(v))
      return this.fail(
        path,
        'must be { "fixed": s }, { "exponential": { "mean": s } } or { "lognormal": { "mean": s, "sd": s } }',
      );
    const keys = Object.keys(v);
    if (keys.length !== 1) return this.fail(path, "must have exactly one of fixed, exponential, lognormal");
    if ("fixed" in v) this.number(v.fixed, `${path}.fixed`, { min: 0 });
    else if ("exponential" in v) {
      if (!isObj(v.exponential)) this.fail(`${path}.exponential`, "must be { mean }");
      else this.number(v.exponential.mean, `${path}.exponential.mean`, { gt: 0 });
    } else if ("lognormal" in v) {
      if (!isObj(v.lognormal)) this.fail(`${path}.lognormal`, "must be { mean, sd }");
      else {
        this.number(v.lognormal.mean, `${path}.lognormal.mean`, { gt: 0 });
        this.number(v.lognormal.sd, `${path}.lognormal.sd`, { min: 0 });
      }
    } else this.fail(path, `unknown distribution '${keys[0] ?? ""}' (fixed, exponential or lognormal)`);
  }
  selectors(v: Json, path: string): void {
    if (v === undefined) return;
    if (!Array.isArray(v)) return this.fail(path, "must be an array of worker selectors");
    v.forEach((s, i) => {
      const p = `${path}[${i}]`;
      if (!isObj(s)) return this.fail(p, "must be { key, labelOperator, value }");
      this.string(s.key, `${p}.key`);
      if (!(LABEL_OPERATORS as readonly Json[]).includes(s.labelOperator)) {
        this.fail(`${p}.labelOperator`, `must be one of ${LABEL_OPERATORS.join(", ")}`);
      }
    });
  }
}

/** Rules that would need HTTP (function, webhook) cannot run in a simulation. */
function checkRules(v: Json, path: string, c: Checker): void {
  if (Array.isArray(v)) v.forEach((x, i) => checkRules(x, `${path}[${i}]`, c));
  else if (isObj(v)) {
    const kind = (v as Partial<RouterRule>).kind;
    if ((kind === "function" || kind === "webhook") && ("functionUri" in v || "webhookUri" in v)) {
      c.fail(path, `a ${kind} rule cannot be simulated (it calls out over HTTP); use an expression or static rule`);
    }
    for (const [k, x] of Object.entries(v)) checkRules(x, `${path}.${k}`, c);
  }
}

const COLLECTIONS = ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"] as const;

export function checkConfig(v: Json, path: string, c: Checker = new Checker()): Checker {
  if (!isObj(v)) {
    c.fail(path, "must be an object with distributionPolicies, queues, classificationPolicies, exceptionPolicies");
    return c;
  }
  const ids: Record<string, Set<string>> = {};
  for (const col of COLLECTIONS) {
    const list = v[col] ?? [];
    ids[col] = new Set();
    if (!Array.isArray(list)) {
      c.fail(`${path}.${col}`, "must be an array of REST objects with their ids");
      continue;
    }
    list.forEach((o, i) => {
      const p = `${path}.${col}[${i}]`;
      if (!isObj(o)) return c.fail(p, "must be an object");
      if (c.string(o.id, `${p}.id`)) {
        if (ids[col]?.has(o.id as string)) c.fail(`${p}.id`, `duplicate id '${String(o.id)}'`);
        ids[col]?.add(o.id as string);
      }
    });
  }
  for (const col of COLLECTIONS) {
    const list = v[col];
    if (!Array.isArray(list)) continue;
    list.forEach((o, i) => {
      if (!isObj(o)) return;
      const p = `${path}.${col}[${i}]`;
      checkRules(o, p, c);
      if (col === "queues") {
        if (o.distributionPolicyId !== undefined && !ids.distributionPolicies?.has(o.distributionPolicyId as string)) {
          c.fail(`${p}.distributionPolicyId`, `names no distribution policy in this configuration`);
        }
        if (o.exceptionPolicyId !== undefined && !ids.exceptionPolicies?.has(o.exceptionPolicyId as string)) {
          c.fail(`${p}.exceptionPolicyId`, `names no exception policy in this configuration`);
        }
      }
      if (
        col === "classificationPolicies" &&
        o.fallbackQueueId !== undefined &&
        !ids.queues?.has(o.fallbackQueueId as string)
      ) {
        c.fail(
          `${p}.fallbackQueueId`,
          `names queue ${JSON.stringify(o.fallbackQueueId)}, which is not in this configuration`,
        );
      }
      if (col === "distributionPolicies") {
        if (!isObj(o.mode)) c.fail(`${p}.mode`, "is required: a queue's jobs are distributed by its policy's mode");
        else if (!["longestIdle", "roundRobin", "bestWorker"].includes(o.mode.kind as string)) {
          c.fail(`${p}.mode.kind`, "must be longestIdle, roundRobin or bestWorker");
        }
      }
    });
  }
  return c;
}

function checkTraffic(t: Json, c: Checker, queueIds: Set<string>, policyIds: Set<string>): void {
  const path = "traffic";
  if (!isObj(t)) return c.fail(path, "is required: an object with durationSeconds, seed, workers, arrivals");
  c.number(t.durationSeconds, `${path}.durationSeconds`, { gt: 0 });
  if (t.warmupSeconds !== undefined && c.number(t.warmupSeconds, `${path}.warmupSeconds`, { min: 0 })) {
    if (isNum(t.durationSeconds) && (t.warmupSeconds as number) >= t.durationSeconds) {
      c.fail(`${path}.warmupSeconds`, "must be less than durationSeconds");
    }
  }
  c.number(t.seed, `${path}.seed`, { integer: true });
  if (Array.isArray(t.serviceLevelSeconds)) {
    if (t.serviceLevelSeconds.length === 0) c.fail(`${path}.serviceLevelSeconds`, "must list at least one threshold");
    t.serviceLevelSeconds.forEach((x, i) => c.number(x, `${path}.serviceLevelSeconds[${i}]`, { min: 0 }));
  } else if (t.serviceLevelSeconds !== undefined) {
    c.number(t.serviceLevelSeconds, `${path}.serviceLevelSeconds`, { min: 0 });
  }
  if (!Array.isArray(t.workers) || t.workers.length === 0)
    c.fail(`${path}.workers`, "must be a non-empty array of worker groups");
  else {
    const prefixes = new Set<string>();
    t.workers.forEach((g, i) => {
      const p = `${path}.workers[${i}]`;
      if (!isObj(g)) return c.fail(p, "must be an object");
      c.number(g.count, `${p}.count`, { min: 0, integer: true });
      if (c.string(g.idPrefix, `${p}.idPrefix`)) {
        if (prefixes.has(g.idPrefix as string)) c.fail(`${p}.idPrefix`, `duplicate idPrefix '${String(g.idPrefix)}'`);
        prefixes.add(g.idPrefix as string);
      }
      if (!Array.isArray(g.queues) || g.queues.length === 0)
        c.fail(`${p}.queues`, "must be a non-empty array of queue ids");
      else
        g.queues.forEach((q, k) => {
          if (typeof q !== "string" || !queueIds.has(q)) c.fail(`${p}.queues[${k}]`, missingQueue(q, queueIds));
        });
      c.labels(g.labels, `${p}.labels`);
      c.number(g.capacity, `${p}.capacity`, { gt: 0 });
      if (!Array.isArray(g.channels) || g.channels.length === 0) c.fail(`${p}.channels`, "must be a non-empty array");
      else
        g.channels.forEach((ch, k) => {
          const cp = `${p}.channels[${k}]`;
          if (!isObj(ch)) return c.fail(cp, "must be { channelId, capacityCostPerJob, maxNumberOfJobs? }");
          c.string(ch.channelId, `${cp}.channelId`);
          c.number(ch.capacityCostPerJob, `${cp}.capacityCostPerJob`, { gt: 0 });
          if (ch.maxNumberOfJobs !== undefined)
            c.number(ch.maxNumberOfJobs, `${cp}.maxNumberOfJobs`, { min: 1, integer: true });
        });
      if (g.shift !== undefined) {
        if (!isObj(g.shift)) c.fail(`${p}.shift`, "must be { startSeconds, endSeconds }");
        else if (
          c.number(g.shift.startSeconds, `${p}.shift.startSeconds`, { min: 0 }) &&
          c.number(g.shift.endSeconds, `${p}.shift.endSeconds`, { min: 0 }) &&
          (g.shift.endSeconds as number) <= (g.shift.startSeconds as number)
        ) {
          c.fail(`${p}.shift.endSeconds`, "must be after startSeconds");
        }
      }
    });
  }
  if (!Array.isArray(t.arrivals) || t.arrivals.length === 0)
    c.fail(`${path}.arrivals`, "must be a non-empty array of arrival streams");
  else {
    const names = new Set<string>();
    t.arrivals.forEach((a, i) => {
      const p = `${path}.arrivals[${i}]`;
      if (!isObj(a)) return c.fail(p, "must be an object");
      c.string(a.channelId, `${p}.channelId`);
      const hasQ = a.queueId !== undefined;
      const hasC = a.classificationPolicyId !== undefined;
      if (hasQ === hasC) c.fail(p, "must have exactly one of queueId, classificationPolicyId");
      if (hasQ && (typeof a.queueId !== "string" || !queueIds.has(a.queueId)))
        c.fail(`${p}.queueId`, missingQueue(a.queueId, queueIds));
      if (a.name !== undefined) {
        if (c.string(a.name, `${p}.name`)) {
          if (names.has(a.name as string)) c.fail(`${p}.name`, `duplicate stream name '${String(a.name)}'`);
          names.add(a.name as string);
        }
      }
      if (hasC && (typeof a.classificationPolicyId !== "string" || !policyIds.has(a.classificationPolicyId))) {
        c.fail(`${p}.classificationPolicyId`, "names no classification policy in the configuration");
      }
      const hasR = a.ratePerHour !== undefined;
      const hasRH = a.ratePerHourByHour !== undefined;
      if (hasR === hasRH) c.fail(p, "must have exactly one of ratePerHour, ratePerHourByHour");
      if (hasR) c.number(a.ratePerHour, `${p}.ratePerHour`, { min: 0 });
      if (hasRH) {
        if (!Array.isArray(a.ratePerHourByHour) || a.ratePerHourByHour.length !== 24)
          c.fail(`${p}.ratePerHourByHour`, "must be 24 numbers (hour 0 = the first hour of the run)");
        else a.ratePerHourByHour.forEach((r, k) => c.number(r, `${p}.ratePerHourByHour[${k}]`, { min: 0 }));
      }
      c.labels(a.labels, `${p}.labels`);
      if (a.labelMix !== undefined) {
        if (!Array.isArray(a.labelMix) || a.labelMix.length === 0)
          c.fail(`${p}.labelMix`, "must be a non-empty array of { weight, labels }");
        else
          a.labelMix.forEach((m, k) => {
            if (!isObj(m)) return c.fail(`${p}.labelMix[${k}]`, "must be { weight, labels }");
            c.number(m.weight, `${p}.labelMix[${k}].weight`, { gt: 0 });
            c.labels(m.labels ?? {}, `${p}.labelMix[${k}].labels`);
          });
      }
      if (a.priority !== undefined) c.number(a.priority, `${p}.priority`, { integer: true });
      c.selectors(a.requestedWorkerSelectors, `${p}.requestedWorkerSelectors`);
      if (a.handleSeconds === undefined) c.fail(`${p}.handleSeconds`, "is required");
      else c.duration(a.handleSeconds, `${p}.handleSeconds`);
      if (a.patienceSeconds !== undefined) c.duration(a.patienceSeconds, `${p}.patienceSeconds`);
    });
  }
  if (t.workerBehaviour !== undefined) {
    const b = t.workerBehaviour;
    if (!isObj(b)) c.fail(`${path}.workerBehaviour`, "must be { acceptSeconds?, declineProbability? }");
    else {
      if (b.acceptSeconds !== undefined) c.duration(b.acceptSeconds, `${path}.workerBehaviour.acceptSeconds`);
      if (b.declineProbability !== undefined)
        c.number(b.declineProbability, `${path}.workerBehaviour.declineProbability`, { min: 0, max: 1 });
    }
  }
}

/** "names queue "x", which is not in the configuration (its queues: a, b)": the queue by name, and what there is. */
function missingQueue(q: Json, queueIds: Set<string>): string {
  const known = [...queueIds].sort().map((x) => JSON.stringify(x));
  const listed = known.length > 0 ? `its queues: ${known.join(", ")}` : "it has no queue";
  return typeof q === "string"
    ? `names queue ${JSON.stringify(q)}, which is not in the configuration (${listed})`
    : `must be a queue id (a string; ${listed})`;
}

function idsOf(config: Json, col: string): Set<string> {
  const out = new Set<string>();
  if (isObj(config) && Array.isArray(config[col]))
    for (const o of config[col]) if (isObj(o) && typeof o.id === "string") out.add(o.id);
  return out;
}

/** Check a parsed scenario; throws a ScenarioError listing every problem. */
export function validateScenario(v: Json): Scenario {
  const c = new Checker();
  if (!isObj(v)) throw new ScenarioError(["(root): must be an object with config (or before and after) and traffic"]);
  const configs: Array<[string, Json]> = [];
  if (v.config !== undefined) {
    if (v.before !== undefined || v.after !== undefined) c.fail("config", "cannot be combined with before/after");
    configs.push(["config", v.config]);
  } else if (v.before !== undefined || v.after !== undefined) {
    if (v.before === undefined) c.fail("before", "is required with after");
    if (v.after === undefined) c.fail("after", "is required with before");
    configs.push(["before", v.before], ["after", v.after]);
  } else c.fail("(root)", "needs config, or before and after");
  for (const [name, cfg] of configs) if (cfg !== undefined) checkConfig(cfg, name, c);
  // Traffic names queues and policies: each must exist in every configuration it runs against.
  const present = configs.filter(([, cfg]) => cfg !== undefined);
  const inAll = (col: string): Set<string> => {
    const sets = present.map(([, cfg]) => idsOf(cfg, col));
    const first = sets[0] ?? new Set<string>();
    return new Set([...first].filter((id) => sets.every((s) => s.has(id))));
  };
  checkTraffic(v.traffic, c, inAll("queues"), inAll("classificationPolicies"));
  if (c.problems.length > 0) throw new ScenarioError(c.problems);
  return v as unknown as Scenario;
}

/** Validate a configuration on its own (for sources read from a stack or a preview). */
export function validateConfig(v: Json, name: string): RoutingConfig {
  const c = checkConfig(v, name);
  if (c.problems.length > 0) throw new ScenarioError(c.problems);
  return v as unknown as RoutingConfig;
}
