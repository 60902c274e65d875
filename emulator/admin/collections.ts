// Per-collection behaviour of the administration resources: the fields the service fills in itself,
// field order in responses, and ETag quirks. Sources in brackets (see provider/client/validation.ts).

import { randomUUID } from "node:crypto";
import type { AdminCollection } from "../../provider/client/models";
import { LEGACY_KINDS } from "../../provider/client/validation";
import type { JsonObject, JsonValue } from "../http";
import { isJsonObject, orderKeys } from "../mergePatch";

/** Field order of each resource as the service returns it [rec]; `id` first and `etag` last are added by the wire layer. */
export const FIELD_ORDER: Record<AdminCollection, readonly string[]> = {
  distributionPolicies: ["name", "offerExpiresAfterSeconds", "mode"],
  queues: ["name", "distributionPolicyId", "labels", "exceptionPolicyId"],
  classificationPolicies: [
    "name",
    "fallbackQueueId",
    "queueSelectorAttachments",
    "prioritizationRule",
    "workerSelectorAttachments",
  ],
  exceptionPolicies: ["name", "exceptionRules"],
};

/**
 * Exception actions without an id get a new GUID on every PATCH that sends them, so the ETag of an
 * exception policy changes on every such PATCH even when the body is identical. [rec]
 * Applied to the patch (not the merged result): actions kept from the stored object keep their ids.
 * Client-supplied ids are kept. [guess: the field is writable; not verified]
 */
export function fillActionIds(patch: JsonObject): void {
  const rules = patch["exceptionRules"];
  if (!Array.isArray(rules)) return;
  for (const rule of rules) {
    if (!isJsonObject(rule) || !Array.isArray(rule["actions"])) continue;
    for (const action of rule["actions"]) {
      if (isJsonObject(action) && (action["id"] === undefined || action["id"] === null || action["id"] === "")) {
        action["id"] = randomUUID();
      }
    }
  }
}

const kindOf = (o: JsonObject): unknown =>
  typeof o["kind"] === "string" ? (LEGACY_KINDS[o["kind"]] ?? o["kind"]) : o["kind"];

/** [rec: Python SDK, 2023-11-01] an expression rule is answered with `"language": "powerFx"` when none was sent. */
function ruleDefaults(rule: JsonValue | undefined): JsonValue | undefined {
  if (!isJsonObject(rule) || kindOf(rule) !== "expression" || rule["language"] !== undefined) return rule;
  return orderKeys({ ...rule, language: "powerFx" }, ["kind", "language", "expression"]);
}

/**
 * Worker selectors of a policy (classification-policy attachments, manualReclassify actions) are answered with
 * `"expedite": false` and `"status": "active"` when not sent, those two first, as recorded
 * [rec: Python SDK test_create_classification_policy; .NET ExceptionPolicyLiveTests.CreateExceptionPolicyTest_WaitTime:
 * `{"expedite": false, "status": "active", "key": "abc", "labelOperator": "equal", "value": 1}`].
 */
function selectorDefaults(s: JsonValue): JsonValue {
  if (!isJsonObject(s)) return s;
  return orderKeys({ expedite: false, status: "active", ...s }, ["expedite", "status"]);
}
function withSelectorDefaults(list: JsonValue | undefined): JsonValue | undefined {
  return Array.isArray(list) ? list.map(selectorDefaults) : list;
}

function workerAttachmentDefaults(a: JsonValue): JsonValue {
  if (!isJsonObject(a)) return a;
  const out: JsonObject = { ...a };
  if (isJsonObject(out["workerSelector"])) out["workerSelector"] = selectorDefaults(out["workerSelector"]);
  if (out["workerSelectors"] !== undefined)
    out["workerSelectors"] = withSelectorDefaults(out["workerSelectors"]) ?? null;
  if (Array.isArray(out["allocations"])) {
    out["allocations"] = out["allocations"].map((al) =>
      isJsonObject(al) ? { ...al, workerSelectors: withSelectorDefaults(al["workerSelectors"]) ?? [] } : al,
    );
  }
  return out;
}

function attachmentRuleDefaults(a: JsonValue): JsonValue {
  if (!isJsonObject(a)) return a;
  const out: JsonObject = { ...a };
  if (out["condition"] !== undefined) out["condition"] = ruleDefaults(out["condition"]) ?? null;
  if (out["rule"] !== undefined) out["rule"] = ruleDefaults(out["rule"]) ?? null;
  return out;
}

/**
 * The best-worker scoring options the service fills in when none are sent, member by member when some are
 * [rec: Python SDK, 2023-11-01; .NET DistributionPolicyLiveTests.CreateDistributionPolicyTest_BestWorker_DefaultScoringRule
 * and _AzureRuleFunctions]. `batchSize` is never filled in (absent from every recorded answer).
 */
const SCORING_RULE_OPTIONS_DEFAULT: JsonObject = {
  scoringParameters: ["jobLabels", "workerSelectors"],
  isBatchScoringEnabled: false,
  descendingOrder: true,
};

const SCORING_RULE_OPTIONS_ORDER = ["batchSize", "scoringParameters", "isBatchScoringEnabled", "descendingOrder"];

function modeDefaults(mode: JsonValue | undefined): JsonValue | undefined {
  if (!isJsonObject(mode)) return mode;
  const out: JsonObject = { ...mode };
  // [rec] every recorded answer carries bypassSelectors; [rec: Python SDK] false when not sent
  out["bypassSelectors"] ??= false;
  if (kindOf(out) === "bestWorker") {
    if (out["scoringRule"] !== undefined) out["scoringRule"] = ruleDefaults(out["scoringRule"]) ?? null;
    const given = out["scoringRuleOptions"];
    // The spec's member order (the recorded default answer follows it).
    out["scoringRuleOptions"] = isJsonObject(given)
      ? orderKeys({ ...structuredClone(SCORING_RULE_OPTIONS_DEFAULT), ...given }, SCORING_RULE_OPTIONS_ORDER)
      : given === undefined || given === null
        ? structuredClone(SCORING_RULE_OPTIONS_DEFAULT)
        : given;
  }
  return orderKeys(out, [
    "kind",
    "minConcurrentOffers",
    "maxConcurrentOffers",
    "bypassSelectors",
    "scoringRule",
    "scoringRuleOptions",
  ]);
}

/**
 * [rec: Python SDK, 2023-11-01] manualReclassify answers `workerSelectors: []`, reclassify `labelsToUpsert: {}`;
 * manualReclassify's selectors get the selector defaults [rec: .NET CreateExceptionPolicyTest_WaitTime].
 */
function actionDefaults(a: JsonValue): JsonValue {
  if (!isJsonObject(a)) return a;
  const kind = kindOf(a);
  if (kind === "manualReclassify") {
    return { ...a, workerSelectors: withSelectorDefaults(a["workerSelectors"] ?? undefined) ?? [] };
  }
  if (kind === "reclassify" && a["labelsToUpsert"] === undefined) return { ...a, labelsToUpsert: {} };
  return a;
}

/** Server-side additions and field order after a merge. */
export function normalize(collection: AdminCollection, id: string, body: JsonObject): JsonObject {
  const out: JsonObject = { ...body };
  switch (collection) {
    case "queues": {
      // The service adds the label "Id": "<queueId>", even when `labels: {}` is sent [rec]; it overwrites a
      // client-sent "Id" [guess: the label is how selectors address a queue by id, so it must be the real id].
      const labels: JsonObject = isJsonObject(out["labels"]) ? { ...out["labels"] } : {};
      delete labels["Id"];
      out["labels"] = { Id: id, ...labels };
      break;
    }
    case "classificationPolicies":
      // Both attachment lists are returned as [] when not set [rec].
      if (out["queueSelectorAttachments"] === undefined) out["queueSelectorAttachments"] = [];
      if (out["workerSelectorAttachments"] === undefined) out["workerSelectorAttachments"] = [];
      if (Array.isArray(out["queueSelectorAttachments"]))
        out["queueSelectorAttachments"] = out["queueSelectorAttachments"].map(attachmentRuleDefaults);
      if (Array.isArray(out["workerSelectorAttachments"]))
        out["workerSelectorAttachments"] = out["workerSelectorAttachments"].map((a) =>
          workerAttachmentDefaults(attachmentRuleDefaults(a)),
        );
      if (out["prioritizationRule"] !== undefined)
        out["prioritizationRule"] = ruleDefaults(out["prioritizationRule"]) ?? null;
      break;
    case "exceptionPolicies": {
      // Within a rule the service returns id, trigger, actions; within an action the id comes last [rec].
      const rules = out["exceptionRules"];
      if (Array.isArray(rules)) {
        out["exceptionRules"] = rules.map((rule): JsonValue => {
          if (!isJsonObject(rule)) return rule;
          const actions = Array.isArray(rule["actions"])
            ? rule["actions"]
                .map(actionDefaults)
                .map((a): JsonValue =>
                  isJsonObject(a) ? orderKeys(a, [...Object.keys(a).filter((k) => k !== "id"), "id"]) : a,
                )
            : rule["actions"];
          const ordered = orderKeys(rule, ["id", "trigger", "actions"]);
          if (actions !== undefined) ordered["actions"] = actions;
          return ordered;
        });
      }
      break;
    }
    case "distributionPolicies":
      if (out["mode"] !== undefined) out["mode"] = modeDefaults(out["mode"]) ?? null;
      break;
  }
  return orderKeys(out, FIELD_ORDER[collection]);
}

/**
 * Classification policies: the first identical re-PATCH after creation returned a new ETag; later identical
 * PATCHes kept it [rec]. The emulator reproduces this with a one-shot flag set on create.
 */
export function churnsOnFirstUpdate(collection: AdminCollection): boolean {
  return collection === "classificationPolicies";
}
