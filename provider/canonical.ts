// The canonical form of a Job Router object, shared by program inputs and by what the service returns.
//
// Everything the engine compares (checked inputs, outputs, and the inputs `read` reconstructs after a
// refresh) is in this form, so two objects the service treats alike are byte-for-byte equal here and
// `pulumi preview` shows nothing. Each rule below answers one server behaviour (facts §7) or one
// collection whose order the service ignores:
//
//  - absent, `null`, and empty collections/objects are the same thing (the service drops nulled fields and
//    returns `[]` for attachment lists that were never sent);
//  - the `Id` label the service adds to every queue is dropped when it equals the queue's id;
//  - exception action ids this provider derives (see `derivedActionId`) are dropped; any other id stays,
//    so a server-generated GUID (someone edited the policy outside Pulumi) shows up as drift;
//  - documented defaults (min/max concurrent offers 1, bypassSelectors false, expedite false, the
//    best-worker scoring options, `language: "powerFx"`) compare equal to "not given";
//  - pre-GA kebab-case kinds (`longest-idle`) become their 2023-11-01 names;
//  - read-only fields (`status`/`expiresAt` of selectors, `id`, `etag`) are dropped;
//  - server-filled defaults of the answers (facts of the Python SDK's recordings: `expedite: false`,
//    `status: "active"`, `workerSelectors: []` of manualReclassify, `labelsToUpsert: {}` of reclassify,
//    `bypassSelectors: false`, the best-worker `scoringRuleOptions`, `language: "powerFx"`) equal their absence;
//  - selector lists, attachment lists, weighted allocations, scoring parameters and exception rules are
//    sets for the service: they are sorted (rules by id), so reordering them in a program is no change.
//    Exception actions keep their order: they run in sequence.
//    With `keepOrder` they stay in the program's order instead: that form is what `check` returns and what is
//    sent, so the engine's diffs and the policy pack index them as the program wrote them (`exceptionRules[0]`
//    is the program's first rule); comparisons use the sorted form, so reordering alone is still no change.
//    With `keepDefaults` (also only for what `check` returns) the defaults of a distribution mode that the program
//    wrote stay, so the engine shows a change from a written default as a change (`~ 1 => 2`), not an addition.
//
// Every function tolerates the preview-time unknown sentinel anywhere (it is left in place) and
// malformed shapes (left as they are: `check` reports them).

import { LEGACY_KINDS } from "./client/validation";
import type { AdminCollection } from "./client/models";
import { isObject, isUnknown, sortKeys, stableJson, type JsonObject } from "./json";
import { KINDS } from "./kinds";

/** The action id the provider sends when a program gives none: stable, so identical PATCHes stay identical. */
export function derivedActionId(ruleId: string, index: number, kind: string): string {
  return `${ruleId}-${index}-${kind}`;
}

function modernKind(kind: unknown): unknown {
  return typeof kind === "string" ? (LEGACY_KINDS[kind] ?? kind) : kind;
}

/** Removes null/undefined members; `undefined` when nothing is left. */
function compact(obj: JsonObject): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) out[k] = v;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Set while canonicalSpec runs with `keepOrder` (it is synchronous, so nothing else runs meanwhile). */
let keepingOrder = false;

/**
 * Set while canonicalSpec runs with `keepDefaults`: a distribution mode's `minConcurrentOffers`/`maxConcurrentOffers`
 * of 1 and `bypassSelectors: false` that the program wrote stay. `check` returns that form, because the engine
 * displays the difference of the stored inputs: without the written `maxConcurrentOffers: 1` in the old inputs, a
 * change to 2 would show as `+ maxConcurrentOffers: 2` instead of `~ maxConcurrentOffers: 1 => 2`. Comparisons
 * (diff) still use the form without defaults, so writing or leaving out a default is no change.
 */
let keepingDefaults = false;

/** A set-like array in a canonical order; `undefined` when empty. */
function sortedSet(values: unknown[]): unknown[] | undefined {
  if (values.length === 0) return undefined;
  if (keepingOrder) return values;
  return values
    .map((v) => ({ v, key: stableJson(v) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => e.v);
}

function setOf(value: unknown, each: (v: unknown) => unknown): unknown {
  if (!Array.isArray(value)) return value;
  return sortedSet(value.map(each));
}

function labelMap(value: unknown, dropId?: string): unknown {
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (k === "Id" && dropId !== undefined && v === dropId) continue;
    out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : sortKeys(out);
}

export function canonicalRule(value: unknown): unknown {
  if (!isObject(value)) return value;
  const r: JsonObject = { ...value, kind: modernKind(value["kind"]) };
  switch (r["kind"]) {
    case "expression":
      if (r["language"] === "powerFx") delete r["language"];
      break;
    case "static":
      // A list of selectors (a ruleEngine attachment's static rule): their read-only state and defaults go, as
      // for any worker selector; the order is kept (it is the rule's result as written).
      if (Array.isArray(r["value"])) r["value"] = r["value"].map(canonicalWorkerSelector);
      break;
    case "function":
      r["credential"] = isObject(r["credential"]) ? compact(r["credential"]) : r["credential"];
      break;
    case "webhook":
      r["clientCredential"] = isObject(r["clientCredential"]) ? compact(r["clientCredential"]) : r["clientCredential"];
      break;
    default:
      break;
  }
  return compact(r);
}

export function canonicalQueueSelector(value: unknown): unknown {
  if (!isObject(value)) return value;
  const s: JsonObject = { ...value };
  // Not a queue selector field; dropped should the service ever answer one, as it does for worker selectors.
  delete s["status"];
  return compact(s);
}

export function canonicalWorkerSelector(value: unknown): unknown {
  if (!isObject(value)) return value;
  const s: JsonObject = { ...value };
  // Read-only state of a selector attached to a job; never part of a policy's configuration.
  delete s["status"];
  delete s["expiresAt"];
  if (s["expedite"] === false) delete s["expedite"];
  return compact(s);
}

function canonicalAttachment(value: unknown, target: "queue" | "worker"): unknown {
  if (!isObject(value)) return value;
  const a: JsonObject = { ...value, kind: modernKind(value["kind"]) };
  const selector = target === "queue" ? canonicalQueueSelector : canonicalWorkerSelector;
  const many = target === "queue" ? "queueSelectors" : "workerSelectors";
  const one = target === "queue" ? "queueSelector" : "workerSelector";
  if ("condition" in a) a["condition"] = canonicalRule(a["condition"]);
  if ("rule" in a) a["rule"] = canonicalRule(a["rule"]);
  if (many in a) a[many] = setOf(a[many], selector);
  if (one in a) a[one] = selector(a[one]);
  if (Array.isArray(a["allocations"])) {
    a["allocations"] = sortedSet(
      a["allocations"].map((al) => (isObject(al) ? compact({ ...al, [many]: setOf(al[many], selector) }) : al)),
    );
  }
  return compact(a);
}

const SCORING_DEFAULTS: JsonObject = { batchSize: 20, isBatchScoringEnabled: false, descendingOrder: true };

function canonicalMode(value: unknown): unknown {
  if (!isObject(value)) return value;
  const m: JsonObject = { ...value, kind: modernKind(value["kind"]) };
  if (!keepingDefaults) {
    if (m["minConcurrentOffers"] === 1) delete m["minConcurrentOffers"];
    if (m["maxConcurrentOffers"] === 1) delete m["maxConcurrentOffers"];
    if (m["bypassSelectors"] === false) delete m["bypassSelectors"];
  }
  if ("scoringRule" in m) m["scoringRule"] = canonicalRule(m["scoringRule"]);
  const so = m["scoringRuleOptions"];
  if (isObject(so)) {
    const o: JsonObject = { ...so };
    for (const [k, d] of Object.entries(SCORING_DEFAULTS)) if (o[k] === d) delete o[k];
    if (Array.isArray(o["scoringParameters"])) {
      const params = sortedSet(o["scoringParameters"]);
      // The default is both parameters (facts §6.1).
      o["scoringParameters"] = stableJson(params) === stableJson(["jobLabels", "workerSelectors"]) ? undefined : params;
    }
    m["scoringRuleOptions"] = compact(o);
  }
  return compact(m);
}

function canonicalAction(value: unknown, ruleId: unknown, index: number): unknown {
  if (!isObject(value)) return value;
  const a: JsonObject = { ...value, kind: modernKind(value["kind"]) };
  if (
    typeof ruleId === "string" &&
    !isUnknown(ruleId) &&
    a["id"] === derivedActionId(ruleId, index, String(a["kind"]))
  ) {
    delete a["id"];
  }
  if ("workerSelectors" in a) a["workerSelectors"] = setOf(a["workerSelectors"], canonicalWorkerSelector);
  if ("labelsToUpsert" in a) a["labelsToUpsert"] = labelMap(a["labelsToUpsert"]);
  return compact(a);
}

function canonicalTrigger(value: unknown): unknown {
  return isObject(value) ? compact({ ...value, kind: modernKind(value["kind"]) }) : value;
}

function canonicalExceptionRule(value: unknown): unknown {
  if (!isObject(value)) return value;
  const r: JsonObject = { ...value };
  if ("trigger" in r) r["trigger"] = canonicalTrigger(r["trigger"]);
  // Actions run in order, and an empty list is meaningful to validation: keep the array as it is.
  if (Array.isArray(r["actions"])) r["actions"] = r["actions"].map((a, i) => canonicalAction(a, r["id"], i));
  return compact(r);
}

function sortRulesById(rules: unknown[]): unknown[] | undefined {
  if (rules.length === 0) return undefined;
  if (keepingOrder) return rules;
  const key = (r: unknown): string =>
    isObject(r) && typeof r["id"] === "string" ? `0${r["id"]}` : `1${stableJson(r)}`;
  return [...rules].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

type FieldCanon = (value: unknown, id: string | undefined) => unknown;

const FIELD_CANON: Record<AdminCollection, Record<string, FieldCanon>> = {
  distributionPolicies: {
    mode: (v) => canonicalMode(v),
  },
  queues: {
    labels: (v, id) => labelMap(v, id),
  },
  classificationPolicies: {
    prioritizationRule: (v) => canonicalRule(v),
    queueSelectorAttachments: (v) => setOf(v, (a) => canonicalAttachment(a, "queue")),
    workerSelectorAttachments: (v) => setOf(v, (a) => canonicalAttachment(a, "worker")),
  },
  exceptionPolicies: {
    exceptionRules: (v) => (Array.isArray(v) ? sortRulesById(v.map(canonicalExceptionRule)) : v),
  },
};

/**
 * The canonical spec of an object: only the service fields this resource manages, in canonical form.
 * `body` may be program inputs (with unknowns) or a service response; `id` is the Job Router id when
 * known (it decides whether the queue's `Id` label is the server's own).
 */
export function canonicalSpec(
  collection: AdminCollection,
  body: unknown,
  id: string | undefined,
  options: { keepOrder?: boolean; keepDefaults?: boolean } = {},
): JsonObject {
  if (options.keepDefaults === true && !keepingDefaults) {
    keepingDefaults = true;
    try {
      return canonicalSpec(collection, body, id, { keepOrder: options.keepOrder === true });
    } finally {
      keepingDefaults = false;
    }
  }
  if (options.keepOrder === true && !keepingOrder) {
    keepingOrder = true;
    try {
      return canonicalSpec(collection, body, id);
    } finally {
      keepingOrder = false;
    }
  }
  const out: JsonObject = {};
  if (!isObject(body)) return out;
  const knownId = id !== undefined && !isUnknown(id) ? id : undefined;
  for (const field of KINDS[collection].fields) {
    const raw = body[field];
    if (raw === undefined || raw === null) continue;
    const canon = FIELD_CANON[collection][field];
    const value = canon ? canon(raw, knownId) : raw;
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

/**
 * The body to send: the canonical spec plus the action ids derived for actions that have none, so the
 * service never generates (and regenerates on every PATCH) ids of its own.
 */
export function withDerivedActionIds(collection: AdminCollection, spec: JsonObject): JsonObject {
  if (collection !== "exceptionPolicies" || !Array.isArray(spec["exceptionRules"])) return spec;
  return {
    ...spec,
    exceptionRules: spec["exceptionRules"].map((rule) => {
      if (!isObject(rule) || typeof rule["id"] !== "string" || !Array.isArray(rule["actions"])) return rule;
      const ruleId = rule["id"];
      return {
        ...rule,
        actions: rule["actions"].map((a, i) =>
          isObject(a) && (a["id"] === undefined || a["id"] === null)
            ? { ...a, id: derivedActionId(ruleId, i, String(a["kind"])) }
            : a,
        ),
      };
    }),
  };
}
