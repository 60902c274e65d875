// Per-collection behaviour of the administration resources: the fields the service fills in itself,
// field order in responses, and ETag quirks. Sources in brackets (see provider/client/validation.ts).

import { randomUUID } from "node:crypto";
import type { AdminCollection } from "../../provider/client/models";
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
      break;
    case "exceptionPolicies": {
      // Within a rule the service returns id, trigger, actions; within an action the id comes last [rec].
      const rules = out["exceptionRules"];
      if (Array.isArray(rules)) {
        out["exceptionRules"] = rules.map((rule): JsonValue => {
          if (!isJsonObject(rule)) return rule;
          const actions = Array.isArray(rule["actions"])
            ? rule["actions"].map((a): JsonValue =>
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
