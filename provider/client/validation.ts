// The one source of the service's field rules (api-version 2023-11-01).
//
// Pure: no I/O, no Node APIs. Used by the emulator (to answer 400 as the service does) and by the
// providers' `check` (to fail before anything is sent). Every rule is tagged with its source:
//   [spec] the OpenAPI file, [doc] learn.microsoft.com, [rec] recorded real traffic,
//   [guess: why] nothing settles it; the reason for the choice follows.
// Messages name the property path and the rule: `mode.maxConcurrentOffers: must be >= minConcurrentOffers (2)`.
//
// What is validated is the resource as it will be stored: a full input (provider `check`), or the result of
// applying a merge patch to the stored object (emulator). `null` members are therefore never seen here except
// in label maps, where `null` means "remove this label" and is accepted.

import type { AdminCollection } from "./models";
import { expressionViolations } from "./expressionCheck";
import {
  DISTRIBUTION_MODE_KINDS,
  LABEL_OPERATORS,
  ROUTER_JOB_FIELDS,
  ROUTER_RULE_KINDS,
  ROUTER_WORKER_FIELDS,
  SELECTOR_ATTACHMENT_KINDS,
} from "./models";

export interface Violation {
  /** Property path, e.g. `exceptionRules[0].trigger.threshold`; "" for the body itself. */
  path: string;
  /** Short rule name, e.g. `required`, `type`, `enum`, `range`, `unique`, `format`, `legacyKind`. */
  rule: string;
  /** `<path>: <what is wrong>`. Never contains secret values. */
  message: string;
  /**
   * "warning" is for input the service accepts but that a client should not send (old kebab-case kinds):
   * the emulator accepts it, a provider's `check` may refuse it.
   */
  severity: "error" | "warning";
}

export interface ValidateOptions {
  /**
   * What to do with properties the model does not define:
   * "ignore" (default; the service deserializes into typed models and drops them [guess: ASP.NET behaviour])
   * or "report" (a `unknownProperty` error; useful in `check` to catch typos).
   */
  unknownProperties?: "ignore" | "report";
}

/** Old kebab-case discriminator spellings and their 2023-11-01 names. */
export const LEGACY_KINDS: Readonly<Record<string, string>> = {
  // [rec] the service accepted, acted on and echoed each of these under api-version 2023-11-01 (the recordings
  // in ../shared hold `longest-idle`, `expression-rule`, `static-rule`, `pass-through`, `wait-time`,
  // `queue-and-match`, `schedule-and-suspend`, `round-robin`; the Python SDK's recorded answers hold the rest).
  "azure-function-rule": "function",
  "best-worker": "bestWorker",
  "expression-rule": "expression",
  "longest-idle": "longestIdle",
  "manual-reclassify": "manualReclassify",
  "pass-through": "passThrough",
  "queue-and-match": "queueAndMatch",
  "queue-length": "queueLength",
  "round-robin": "roundRobin",
  "rule-engine": "ruleEngine",
  "schedule-and-suspend": "scheduleAndSuspend",
  "static-rule": "static",
  "wait-time": "waitTime",
  // [rec] one spelling per side; either is taken for either side [guess: the service's parser is not known to
  // tell them apart, and refusing one would be a false alarm]
  "weighted-allocation-queue-selector": "weightedAllocation",
  "weighted-allocation-worker-selector": "weightedAllocation",
  // [guess: the same pre-GA naming pattern; never seen]
  "direct-map-rule": "directMap",
  "webhook-rule": "webhook",
};

/** Members that hold user data (labels, a static rule's value), never polymorphic objects: left as they are. */
const DATA_MEMBERS = new Set(["labels", "labelsToUpsert", "value", "tags"]);

/**
 * A deep copy of `value` with every old kebab-case `kind` replaced by its 2023-11-01 name: what the service acts on
 * (it echoes the spelling it was sent, so stored bodies keep theirs; the runtime reads policies through this).
 */
export function modernKinds<T>(value: T): T {
  return walkKinds(value) as T;
}

// A named function over Object.keys, not a closure over Object.entries: the emulator's routing engine reads its queue
// and distribution policy through modernKinds on every job, and the [key, value] pairs were most of this walk's cost.
function walkKinds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(walkKinds);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    const child = v[k];
    if (k === "kind" && typeof child === "string") out[k] = LEGACY_KINDS[child] ?? child;
    else out[k] = DATA_MEMBERS.has(k) ? child : walkKinds(child);
  }
  return out;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  // NaN and the infinities are numbers to typeof, but "got a number" would contradict "must be a finite number".
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

class Ctx {
  readonly out: Violation[] = [];
  constructor(readonly unknown: "ignore" | "report" | "strip") {}

  add(path: string, rule: string, text: string, severity: "error" | "warning" = "error"): void {
    this.out.push({ path, rule, message: `${path || "body"}: ${text}`, severity });
  }

  /** Check that `value` is an object and handle properties outside `known`. */
  object(value: unknown, path: string, known: readonly string[]): Obj | undefined {
    if (!isObj(value)) {
      this.add(path, "type", `must be an object (got ${describe(value)})`);
      return undefined;
    }
    if (this.unknown !== "ignore") {
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        if (this.unknown === "strip") delete value[key];
        else
          this.add(join(path, key), "unknownProperty", `is not a property of this object (known: ${known.join(", ")})`);
      }
    }
    return value;
  }

  string(o: Obj, key: string, path: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const p = join(path, key);
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.required) this.add(p, "required", "is required");
      return undefined;
    }
    if (typeof v !== "string") {
      this.add(p, "type", `must be a string (got ${describe(v)})`);
      return undefined;
    }
    if (opts.nonEmpty && v.trim() === "") this.add(p, "nonEmpty", "must not be empty");
    return v;
  }

  number(
    o: Obj,
    key: string,
    path: string,
    opts: { required?: boolean; integer?: boolean; min?: number; exclusiveMin?: number; max?: number } = {},
  ): number | undefined {
    const p = join(path, key);
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.required) this.add(p, "required", "is required");
      return undefined;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      this.add(p, "type", `must be a finite number (got ${describe(v)})`);
      return undefined;
    }
    if (opts.integer) {
      if (!Number.isInteger(v)) {
        this.add(p, "integer", `must be an integer (got ${v})`);
        return undefined;
      }
      if (v < INT32_MIN || v > INT32_MAX) {
        this.add(p, "int32", `must fit in a 32-bit signed integer (got ${v})`);
        return undefined;
      }
    }
    if (opts.exclusiveMin !== undefined && !(v > opts.exclusiveMin))
      this.add(p, "range", `must be > ${opts.exclusiveMin} (got ${v})`);
    if (opts.min !== undefined && v < opts.min) this.add(p, "range", `must be >= ${opts.min} (got ${v})`);
    if (opts.max !== undefined && v > opts.max) this.add(p, "range", `must be <= ${opts.max} (got ${v})`);
    return v;
  }

  boolean(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") {
      this.add(join(path, key), "type", `must be a boolean (got ${describe(v)})`);
      return undefined;
    }
    return v;
  }

  array(o: Obj, key: string, path: string, opts: { required?: boolean } = {}): unknown[] | undefined {
    const p = join(path, key);
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.required) this.add(p, "required", "is required");
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(p, "type", `must be an array (got ${describe(v)})`);
      return undefined;
    }
    return v;
  }

  enumOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], required = false): T | undefined {
    const v = this.string(o, key, path, { required });
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      this.add(join(path, key), "enum", `must be one of ${allowed.join(", ")} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v as T;
  }

  /** A discriminator: accepts the 2023-11-01 spelling; an old kebab-case spelling is a warning. */
  kind<T extends string>(o: Obj, path: string, allowed: readonly T[]): T | undefined {
    const p = join(path, "kind");
    const v = this.string(o, "kind", path, { required: true }); // [spec] kind is required on every polymorphic type
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    const modern = LEGACY_KINDS[v];
    if (modern !== undefined && (allowed as readonly string[]).includes(modern)) {
      this.add(
        p,
        "legacyKind",
        `${JSON.stringify(v)} is a pre-GA spelling; use ${JSON.stringify(modern)} (the service may echo it unnormalised)`,
        "warning",
      );
      return modern as T;
    }
    this.add(p, "enum", `must be one of ${allowed.join(", ")} (got ${JSON.stringify(v)})`);
    return undefined;
  }

  /** A label map: JSON primitives only. [spec] "Values must be primitive values - number, string, boolean." */
  labels(o: Obj, key: string, path: string): void {
    const p = join(path, key);
    const v = o[key];
    if (v === undefined || v === null) return;
    if (!isObj(v)) {
      this.add(p, "type", `must be an object of labels (got ${describe(v)})`);
      return;
    }
    for (const [k, value] of Object.entries(v)) {
      // [guess: an empty key cannot be selected by any selector and is most likely a mistake]
      if (k === "") this.add(p, "labelKey", "label keys must not be empty");
      if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        this.add(join(p, k), "primitive", `must be a string, number or boolean (got ${describe(value)})`);
      } else if (typeof value === "number" && !Number.isFinite(value)) {
        this.add(join(p, k), "primitive", "must be a finite number");
      }
    }
  }

  primitive(o: Obj, key: string, path: string): void {
    const v = o[key];
    if (v === undefined || v === null) return;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      this.add(join(path, key), "primitive", `must be a string, number or boolean (got ${describe(v)})`);
    }
  }

  uri(o: Obj, key: string, path: string, required: boolean): void {
    const v = this.string(o, key, path, { required });
    if (v === undefined) return;
    let ok = false;
    try {
      const u = new URL(v);
      ok = u.protocol === "https:" || u.protocol === "http:";
    } catch {
      ok = false;
    }
    if (!ok) this.add(join(path, key), "format", "must be an absolute http or https URI");
  }
}

// ------------------------------------------------------------------ rules

function routerRule(ctx: Ctx, value: unknown, path: string): void {
  const base = ["kind"];
  if (!isObj(value)) {
    ctx.add(path, "type", `must be an object (got ${describe(value)})`);
    return;
  }
  const kind = ctx.kind(value, path, ROUTER_RULE_KINDS); // [spec]
  switch (kind) {
    case "directMap":
      ctx.object(value, path, base);
      break;
    case "expression": {
      const o = ctx.object(value, path, [...base, "language", "expression"]);
      if (!o) return;
      ctx.enumOf(o, "language", path, ["powerFx"]); // [spec] powerFx is the only language
      const text = ctx.string(o, "expression", path, { required: true, nonEmpty: true }); // [spec] required in the response model
      // [guess: a rule that cannot be parsed fails every job it classifies, silently (notes: [])]; unknown
      // functions are only warnings: the service evaluates full PowerFx, the emulator a subset.
      if (text !== undefined && text.trim() !== "") {
        for (const v of expressionViolations(text, join(path, "expression")))
          ctx.add(v.path, v.rule, v.text, v.severity);
      }
      break;
    }
    case "function": {
      const o = ctx.object(value, path, [...base, "functionUri", "credential"]);
      if (!o) return;
      ctx.uri(o, "functionUri", path, true); // [spec] required, format uri; [guess] http(s) only: it is an HTTP trigger
      if (o["credential"] !== undefined && o["credential"] !== null) {
        const c = ctx.object(o["credential"], join(path, "credential"), ["functionKey", "appKey", "clientId"]);
        if (c) for (const k of ["functionKey", "appKey", "clientId"]) ctx.string(c, k, join(path, "credential"));
      }
      break;
    }
    case "static": {
      const o = ctx.object(value, path, [...base, "value"]);
      if (!o) return;
      // [spec] a primitive value; [rec: Python SDK, 2023-11-01] a list of selectors too: a ruleEngine attachment
      // whose static rule returns its selectors was accepted (201) and echoed
      if (Array.isArray(o["value"])) selectorList(ctx, o, "value", path, workerSelector, false);
      else ctx.primitive(o, "value", path);
      break;
    }
    case "webhook": {
      const o = ctx.object(value, path, [...base, "authorizationServerUri", "clientCredential", "webhookUri"]);
      if (!o) return;
      ctx.uri(o, "authorizationServerUri", path, false); // [spec] format uri
      // [spec] format uri, optional in the request model; [guess: a webhook rule without a URI has nowhere to
      // send the job, so it can never evaluate; refused like a function rule without functionUri]
      ctx.uri(o, "webhookUri", path, true);
      if (o["clientCredential"] !== undefined && o["clientCredential"] !== null) {
        const c = ctx.object(o["clientCredential"], join(path, "clientCredential"), ["clientId", "clientSecret"]);
        if (c) for (const k of ["clientId", "clientSecret"]) ctx.string(c, k, join(path, "clientCredential"));
      }
      break;
    }
    default:
      break;
  }
}

function queueSelector(ctx: Ctx, value: unknown, path: string): void {
  const o = ctx.object(value, path, ["key", "labelOperator", "value"]);
  if (!o) return;
  ctx.string(o, "key", path, { required: true, nonEmpty: true }); // [spec] required; [guess] non-empty
  ctx.enumOf(o, "labelOperator", path, LABEL_OPERATORS, true); // [spec] required enum
  ctx.primitive(o, "value", path); // [spec] primitive
}

const WORKER_SELECTOR_KEYS = [
  "key",
  "labelOperator",
  "value",
  "expiresAfterSeconds",
  "expedite",
  "status",
  "expiresAt",
];

function workerSelector(ctx: Ctx, value: unknown, path: string): void {
  // `status` and `expiresAt` are read-only [spec]: tolerated (a GET result fed back), ignored by the service.
  const o = ctx.object(value, path, WORKER_SELECTOR_KEYS);
  if (!o) return;
  ctx.string(o, "key", path, { required: true, nonEmpty: true }); // [spec] required; [guess] non-empty
  ctx.enumOf(o, "labelOperator", path, LABEL_OPERATORS, true); // [spec]
  ctx.primitive(o, "value", path); // [spec]
  ctx.number(o, "expiresAfterSeconds", path, { exclusiveMin: 0 }); // [spec] double; [guess] > 0: a selector that expires at once is useless
  ctx.boolean(o, "expedite", path); // [spec]
}

function selectorList(
  ctx: Ctx,
  o: Obj,
  key: string,
  path: string,
  each: (ctx: Ctx, v: unknown, p: string) => void,
  required: boolean,
): void {
  const list = ctx.array(o, key, path, { required });
  list?.forEach((item, i) => each(ctx, item, join(join(path, key), i)));
}

function attachment(ctx: Ctx, value: unknown, path: string, target: "queue" | "worker"): void {
  if (!isObj(value)) {
    ctx.add(path, "type", `must be an object (got ${describe(value)})`);
    return;
  }
  const selectorsKey = target === "queue" ? "queueSelectors" : "workerSelectors";
  const selectorKey = target === "queue" ? "queueSelector" : "workerSelector";
  const each = target === "queue" ? queueSelector : workerSelector;
  const kind = ctx.kind(value, path, SELECTOR_ATTACHMENT_KINDS); // [spec] same kind set for both
  switch (kind) {
    case "conditional": {
      const o = ctx.object(value, path, ["kind", "condition", selectorsKey]);
      if (!o) return;
      if (o["condition"] === undefined || o["condition"] === null)
        ctx.add(join(path, "condition"), "required", "is required"); // [spec]
      else routerRule(ctx, o["condition"], join(path, "condition"));
      selectorList(ctx, o, selectorsKey, path, each, true); // [spec] required
      break;
    }
    case "passThrough": {
      const keys = ["kind", "key", "labelOperator", ...(target === "worker" ? ["expiresAfterSeconds"] : [])];
      const o = ctx.object(value, path, keys);
      if (!o) return;
      ctx.string(o, "key", path, { required: true, nonEmpty: true }); // [spec] required
      ctx.enumOf(o, "labelOperator", path, LABEL_OPERATORS, true); // [spec] required
      if (target === "worker") ctx.number(o, "expiresAfterSeconds", path, { exclusiveMin: 0 }); // [spec] double; [guess] > 0
      break;
    }
    case "ruleEngine": {
      const o = ctx.object(value, path, ["kind", "rule"]);
      if (!o) return;
      if (o["rule"] === undefined || o["rule"] === null)
        ctx.add(join(path, "rule"), "required", "is required"); // [spec]
      else routerRule(ctx, o["rule"], join(path, "rule"));
      break;
    }
    case "static": {
      const o = ctx.object(value, path, ["kind", selectorKey]);
      if (!o) return;
      if (o[selectorKey] === undefined || o[selectorKey] === null)
        ctx.add(join(path, selectorKey), "required", "is required"); // [spec]
      else each(ctx, o[selectorKey], join(path, selectorKey));
      break;
    }
    case "weightedAllocation": {
      const o = ctx.object(value, path, ["kind", "allocations"]);
      if (!o) return;
      const allocations = ctx.array(o, "allocations", path, { required: true }); // [spec] required
      if (!allocations) return;
      const ap = join(path, "allocations");
      if (allocations.length === 0) ctx.add(ap, "nonEmpty", "must contain at least one allocation"); // [guess: weights must sum to 1]
      let sum = 0;
      let allNumbers = true;
      allocations.forEach((item, i) => {
        const p = join(ap, i);
        const a = ctx.object(item, p, ["weight", selectorsKey]);
        if (!a) {
          allNumbers = false;
          return;
        }
        // [spec] "The percentage of this weight, expressed as a fraction of 1" → each in (0, 1]
        const w = ctx.number(a, "weight", p, { required: true, exclusiveMin: 0, max: 1 });
        // The sum is only meaningful once every weight is individually valid.
        if (w === undefined || !(w > 0 && w <= 1)) allNumbers = false;
        else sum += w;
        selectorList(ctx, a, selectorsKey, p, each, true); // [spec] required
      });
      // [doc] weighted allocations split jobs by percentage; [guess] they must add up to 1 (tolerance 1e-6)
      if (allNumbers && allocations.length > 0 && Math.abs(sum - 1) > 1e-6) {
        ctx.add(ap, "sum", `weights must sum to 1 (got ${Number(sum.toFixed(6))})`);
      }
      break;
    }
    default:
      break;
  }
}

function distributionPolicy(ctx: Ctx, o: Obj): void {
  ctx.string(o, "name", "");
  // [spec] double, no bounds; [guess] > 0: an offer that expires immediately can never be accepted
  ctx.number(o, "offerExpiresAfterSeconds", "", { exclusiveMin: 0 });
  const modeValue = o["mode"];
  if (modeValue === undefined || modeValue === null) {
    // [spec] optional in the model, but [doc] the SDKs' CreateDistributionPolicyOptions take `mode` as a required
    // constructor argument, and a policy without a mode cannot distribute a single job.
    ctx.add(
      "mode",
      "required",
      "is required (a distribution policy needs a mode: bestWorker, longestIdle or roundRobin)",
    );
    return;
  }
  if (!isObj(modeValue)) {
    ctx.add("mode", "type", `must be an object (got ${describe(modeValue)})`);
    return;
  }
  const kind = ctx.kind(modeValue, "mode", DISTRIBUTION_MODE_KINDS); // [spec]
  const base = ["kind", "minConcurrentOffers", "maxConcurrentOffers", "bypassSelectors"];
  const mode = ctx.object(
    modeValue,
    "mode",
    kind === "bestWorker" ? [...base, "scoringRule", "scoringRuleOptions"] : base,
  );
  if (!mode) return;
  // [spec] int32, default 1; [doc] docs use 1..10; [guess] >= 1: a job needs at least one offer to be distributed
  const min = ctx.number(mode, "minConcurrentOffers", "mode", { integer: true, min: 1 });
  const max = ctx.number(mode, "maxConcurrentOffers", "mode", { integer: true, min: 1 });
  // [guess] min <= max (the names say so); compared only when both are given, since server defaults are unknown
  if (min !== undefined && max !== undefined && min >= 1 && max >= 1 && max < min) {
    ctx.add("mode.maxConcurrentOffers", "range", `must be >= minConcurrentOffers (${min}) (got ${max})`);
  }
  ctx.boolean(mode, "bypassSelectors", "mode"); // [spec]
  if (kind === "bestWorker") {
    if (mode["scoringRule"] !== undefined && mode["scoringRule"] !== null)
      routerRule(ctx, mode["scoringRule"], "mode.scoringRule"); // [spec]
    const so = mode["scoringRuleOptions"];
    if (so !== undefined && so !== null) {
      const opts = ctx.object(so, "mode.scoringRuleOptions", [
        "batchSize",
        "scoringParameters",
        "isBatchScoringEnabled",
        "descendingOrder",
      ]);
      if (opts) {
        ctx.number(opts, "batchSize", "mode.scoringRuleOptions", { integer: true, min: 1 }); // [spec] int32, default 20; [guess] >= 1
        const params = ctx.array(opts, "scoringParameters", "mode.scoringRuleOptions");
        params?.forEach((p, i) => {
          if (p !== "jobLabels" && p !== "workerSelectors") {
            // [spec] enum ScoringRuleParameterSelector
            ctx.add(
              join("mode.scoringRuleOptions.scoringParameters", i),
              "enum",
              `must be one of jobLabels, workerSelectors (got ${JSON.stringify(p)})`,
            );
          }
        });
        ctx.boolean(opts, "isBatchScoringEnabled", "mode.scoringRuleOptions"); // [spec]
        ctx.boolean(opts, "descendingOrder", "mode.scoringRuleOptions"); // [spec]
      }
    }
  }
}

function queue(ctx: Ctx, o: Obj): void {
  ctx.string(o, "name", ""); // [spec]
  // [spec] optional string; [doc] the SDKs' CreateQueueOptions require it (null is refused) and the service
  // validates that it exists when the queue is created; [guess] non-empty: an empty id can never name a policy
  ctx.string(o, "distributionPolicyId", "", { required: true, nonEmpty: true });
  ctx.string(o, "exceptionPolicyId", "", { nonEmpty: true });
  ctx.labels(o, "labels", ""); // [spec] primitives only
}

function classificationPolicy(ctx: Ctx, o: Obj): void {
  ctx.string(o, "name", ""); // [spec]
  ctx.string(o, "fallbackQueueId", "", { nonEmpty: true }); // [spec]; [guess] non-empty
  const qsa = ctx.array(o, "queueSelectorAttachments", ""); // [spec]
  qsa?.forEach((a, i) => attachment(ctx, a, join("queueSelectorAttachments", i), "queue"));
  const wsa = ctx.array(o, "workerSelectorAttachments", ""); // [spec]
  wsa?.forEach((a, i) => attachment(ctx, a, join("workerSelectorAttachments", i), "worker"));
  if (o["prioritizationRule"] !== undefined && o["prioritizationRule"] !== null)
    routerRule(ctx, o["prioritizationRule"], "prioritizationRule"); // [spec]
}

function exceptionAction(ctx: Ctx, value: unknown, path: string): string | undefined {
  if (!isObj(value)) {
    ctx.add(path, "type", `must be an object (got ${describe(value)})`);
    return undefined;
  }
  const kind = ctx.kind(value, path, ["cancel", "manualReclassify", "reclassify"] as const); // [spec]
  const extra =
    kind === "cancel"
      ? ["note", "dispositionCode"]
      : kind === "manualReclassify"
        ? ["queueId", "priority", "workerSelectors"]
        : kind === "reclassify"
          ? ["classificationPolicyId", "labelsToUpsert"]
          : [];
  const o = ctx.object(value, path, ["kind", "id", ...extra]);
  if (!o) return undefined;
  const id = ctx.string(o, "id", path, { nonEmpty: true }); // [spec] optional, writable; the service generates it when missing [rec]
  switch (kind) {
    case "cancel":
      ctx.string(o, "note", path); // [spec]
      ctx.string(o, "dispositionCode", path); // [spec]
      break;
    case "manualReclassify":
      ctx.string(o, "queueId", path, { nonEmpty: true }); // [spec]
      ctx.number(o, "priority", path, { integer: true, min: -100, max: 100 }); // [spec] int32; range from the job priority description
      selectorList(ctx, o, "workerSelectors", path, workerSelector, false); // [spec]
      break;
    case "reclassify":
      ctx.string(o, "classificationPolicyId", path, { nonEmpty: true }); // [spec]
      ctx.labels(o, "labelsToUpsert", path); // [spec] primitives
      break;
    default:
      break;
  }
  return id;
}

function exceptionPolicy(ctx: Ctx, o: Obj): void {
  ctx.string(o, "name", ""); // [spec]
  const rules = ctx.array(o, "exceptionRules", ""); // [spec] an array in 2023-11-01 (a map in previews)
  if (!rules) return;
  const seen = new Map<string, number>();
  rules.forEach((value, i) => {
    const p = join("exceptionRules", i);
    const rule = ctx.object(value, p, ["id", "trigger", "actions"]);
    if (!rule) return;
    const id = ctx.string(rule, "id", p, { required: true, nonEmpty: true }); // [spec] required
    if (id !== undefined) {
      // [guess: rules were keyed by id in the previews' map; two rules with one id cannot both be addressed]
      const first = seen.get(id);
      if (first !== undefined)
        ctx.add(join(p, "id"), "unique", `duplicates exceptionRules[${first}].id (${JSON.stringify(id)})`);
      else seen.set(id, i);
    }
    const trigger = rule["trigger"];
    const tp = join(p, "trigger");
    if (trigger === undefined || trigger === null)
      ctx.add(tp, "required", "is required"); // [spec] required
    else if (!isObj(trigger)) ctx.add(tp, "type", `must be an object (got ${describe(trigger)})`);
    else {
      const kind = ctx.kind(trigger, tp, ["queueLength", "waitTime"] as const); // [spec]
      if (kind === "queueLength") {
        const t = ctx.object(trigger, tp, ["kind", "threshold"]);
        // [spec] int32 required; [doc] the SDKs' QueueLengthExceptionTrigger: "Must be greater than 0"
        if (t) ctx.number(t, "threshold", tp, { required: true, integer: true, min: 1 });
      } else if (kind === "waitTime") {
        const t = ctx.object(trigger, tp, ["kind", "thresholdSeconds"]);
        // [spec] double required; [guess] >= 0: a wait time cannot be negative
        if (t) ctx.number(t, "thresholdSeconds", tp, { required: true, min: 0 });
      }
    }
    const actions = ctx.array(rule, "actions", p, { required: true }); // [spec] required
    // [guess: a rule without actions fires and does nothing; the ContactCenter component refused it already]
    if (actions !== undefined && actions.length === 0)
      ctx.add(
        join(p, "actions"),
        "nonEmpty",
        "must contain at least one action (cancel, manualReclassify or reclassify)",
      );
    const actionIds = new Map<string, number>();
    actions?.forEach((a, j) => {
      const ap = join(join(p, "actions"), j);
      const actionId = exceptionAction(ctx, a, ap);
      if (actionId !== undefined && actionId !== "") {
        // [guess: action ids are "Unique Id" per the spec's description]
        const first = actionIds.get(actionId);
        if (first !== undefined)
          ctx.add(
            join(ap, "id"),
            "unique",
            `duplicates ${join(join(p, "actions"), first)}.id (${JSON.stringify(actionId)})`,
          );
        else actionIds.set(actionId, j);
      }
    });
  });
}

const TOP_LEVEL: Record<AdminCollection, readonly string[]> = {
  // `id` and `etag` are read-only: a stray `id` matching the path was accepted and ignored [rec].
  distributionPolicies: ["id", "etag", "name", "offerExpiresAfterSeconds", "mode"],
  queues: ["id", "etag", "name", "distributionPolicyId", "labels", "exceptionPolicyId"],
  classificationPolicies: [
    "id",
    "etag",
    "name",
    "fallbackQueueId",
    "queueSelectorAttachments",
    "prioritizationRule",
    "workerSelectorAttachments",
  ],
  exceptionPolicies: ["id", "etag", "name", "exceptionRules"],
};

const VALIDATORS: Record<AdminCollection, (ctx: Ctx, o: Obj) => void> = {
  distributionPolicies: distributionPolicy,
  queues: queue,
  classificationPolicies: classificationPolicy,
  exceptionPolicies: exceptionPolicy,
};

function run(ctx: Ctx, collection: AdminCollection, body: unknown): void {
  const o = ctx.object(body, "", TOP_LEVEL[collection]);
  if (o) VALIDATORS[collection](ctx, o);
}

/** Validate an administration resource body (full input, or the merge-patch result). */
export function validateAdminBody(
  collection: AdminCollection,
  body: unknown,
  options: ValidateOptions = {},
): Violation[] {
  const ctx = new Ctx(options.unknownProperties ?? "ignore");
  run(ctx, collection, body);
  return ctx.out;
}

/** A deep copy of `body` without the properties the model does not define (what the service would keep). */
export function stripUnknownProperties(collection: AdminCollection, body: unknown): unknown {
  const copy: unknown = structuredClone(body);
  run(new Ctx("strip"), collection, copy);
  return copy;
}

// ------------------------------------------------------------------ jobs and workers (runtime resources)

function dateTime(ctx: Ctx, o: Obj, key: string, path: string, required: boolean): void {
  const v = ctx.string(o, key, path, { required });
  // [spec] format date-time (RFC 3339)
  if (v !== undefined && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) || Number.isNaN(Date.parse(v)))) {
    ctx.add(join(path, key), "format", "must be an RFC 3339 date-time");
  }
}

function job(ctx: Ctx, o: Obj): void {
  for (const k of ["channelReference", "channelId", "dispositionCode"]) ctx.string(o, k, ""); // [spec]
  for (const k of ["classificationPolicyId", "queueId"]) ctx.string(o, k, "", { nonEmpty: true }); // [spec]; [guess] non-empty
  ctx.number(o, "priority", "", { integer: true, min: -100, max: 100 }); // [spec] int32, "Value must be between -100 to 100"
  selectorList(ctx, o, "requestedWorkerSelectors", "", workerSelector, false); // [spec]
  ctx.labels(o, "labels", ""); // [spec]
  ctx.labels(o, "tags", ""); // [spec]
  const notes = ctx.array(o, "notes", ""); // [spec]
  notes?.forEach((n, i) => {
    const p = join("notes", i);
    const note = ctx.object(n, p, ["message", "addedAt"]);
    if (!note) return;
    ctx.string(note, "message", p, { required: true }); // [spec] required
    dateTime(ctx, note, "addedAt", p, false); // [spec]
  });
  const mm = o["matchingMode"];
  if (mm !== undefined && mm !== null) {
    if (!isObj(mm)) ctx.add("matchingMode", "type", `must be an object (got ${describe(mm)})`);
    else {
      const kind = ctx.kind(mm, "matchingMode", ["queueAndMatch", "scheduleAndSuspend", "suspend"] as const); // [spec]
      const m = ctx.object(mm, "matchingMode", kind === "scheduleAndSuspend" ? ["kind", "scheduleAt"] : ["kind"]);
      if (m && kind === "scheduleAndSuspend") dateTime(ctx, m, "scheduleAt", "matchingMode", true); // [spec] required
    }
  }
}

function worker(ctx: Ctx, o: Obj): void {
  const queues = ctx.array(o, "queues", ""); // [spec]
  const seenQueues = new Set<string>();
  queues?.forEach((q, i) => {
    const p = join("queues", i);
    if (typeof q !== "string" || q.trim() === "") ctx.add(p, "type", "must be a non-empty string (a queue id)");
    // [guess: a worker listed twice in one queue is a mistake the service would collapse or refuse]
    else if (seenQueues.has(q)) ctx.add(p, "unique", `duplicates queue ${JSON.stringify(q)}`);
    else seenQueues.add(q);
  });
  ctx.number(o, "capacity", "", { integer: true, min: 0 }); // [spec] int32; [guess] >= 0
  ctx.labels(o, "labels", ""); // [spec]
  ctx.labels(o, "tags", ""); // [spec]
  ctx.boolean(o, "availableForOffers", ""); // [spec]
  const channels = ctx.array(o, "channels", ""); // [spec]
  const seenChannels = new Map<string, number>();
  channels?.forEach((c, i) => {
    const p = join("channels", i);
    const ch = ctx.object(c, p, ["channelId", "capacityCostPerJob", "maxNumberOfJobs"]);
    if (!ch) return;
    const id = ctx.string(ch, "channelId", p, { required: true, nonEmpty: true }); // [spec] required
    if (id !== undefined) {
      const first = seenChannels.get(id);
      // [guess: capacity is configured once per channel]
      if (first !== undefined)
        ctx.add(join(p, "channelId"), "unique", `duplicates channels[${first}].channelId (${JSON.stringify(id)})`);
      else seenChannels.set(id, i);
    }
    ctx.number(ch, "capacityCostPerJob", p, { required: true, integer: true, min: 0 }); // [spec] required int32; [guess] >= 0
    ctx.number(ch, "maxNumberOfJobs", p, { integer: true, exclusiveMin: 0 }); // [spec] "Value must be greater than zero"
  });
}

const JOB_KEYS = ["id", "etag", ...ROUTER_JOB_FIELDS];
const WORKER_KEYS = ["id", "etag", ...ROUTER_WORKER_FIELDS];

/** Validate a job body (full input, or the merge-patch result). Read-only fields are tolerated. */
export function validateJobBody(body: unknown, options: ValidateOptions = {}): Violation[] {
  const ctx = new Ctx(options.unknownProperties ?? "ignore");
  const o = ctx.object(body, "", JOB_KEYS);
  if (o) job(ctx, o);
  return ctx.out;
}

/** Validate a worker body (full input, or the merge-patch result). Read-only fields are tolerated. */
export function validateWorkerBody(body: unknown, options: ValidateOptions = {}): Violation[] {
  const ctx = new Ctx(options.unknownProperties ?? "ignore");
  const o = ctx.object(body, "", WORKER_KEYS);
  if (o) worker(ctx, o);
  return ctx.out;
}

/** Only the violations that must refuse the request. */
export function errorsOf(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.severity === "error");
}

/** One line per violation, for exceptions and `check` failures. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => v.message).join("\n");
}

/**
 * Resource ids are chosen by the client and travel in the URL path.
 * [guess: allowed characters and length are unknown (facts §2.1); these limits keep ids safe in a path segment
 * and clear of the `:action` suffix syntax used by jobs and workers]
 */
export const ID_MAX_LENGTH = 256;
export function validateId(id: unknown, path = "id"): Violation[] {
  const ctx = new Ctx("ignore");
  if (typeof id !== "string") {
    ctx.add(path, "type", `must be a string (got ${describe(id)})`);
    return ctx.out;
  }
  if (id.trim() === "") ctx.add(path, "nonEmpty", "must not be empty");
  else if (id.length > ID_MAX_LENGTH)
    ctx.add(path, "length", `must be at most ${ID_MAX_LENGTH} characters (got ${id.length})`);
  // eslint-disable-next-line no-control-regex
  else if (/[/\\?#%:\u0000-\u001f\u007f]/.test(id) || id === "." || id === "..") {
    ctx.add(path, "format", "must not contain / \\ ? # % : or control characters, and must not be . or ..");
  } else if (id !== id.trim()) ctx.add(path, "format", "must not start or end with whitespace");
  return ctx.out;
}
