// References between objects, the selection (by kind and id pattern, closed over references) and the declaration
// order of the generated program.

import type { AdminCollection } from "../provider/client/models";
import { isObject } from "../provider/json";
import { COLLECTION_RANK, objectKey, type LiveObject, type Namespace, type Reference, type SpecPath } from "./model";
import { compareStrings } from "./read";

/** Where a queue selector can sit in a classification policy's queue selector attachments. */
function queueSelectorPaths(attachment: unknown, base: SpecPath): Array<{ path: SpecPath; selector: unknown }> {
  if (!isObject(attachment)) return [];
  const out: Array<{ path: SpecPath; selector: unknown }> = [];
  const many = (list: unknown, at: SpecPath): void => {
    if (Array.isArray(list)) list.forEach((s, i) => out.push({ path: [...at, i], selector: s }));
  };
  if (attachment["kind"] === "static")
    out.push({ path: [...base, "queueSelector"], selector: attachment["queueSelector"] });
  if (attachment["kind"] === "conditional") many(attachment["queueSelectors"], [...base, "queueSelectors"]);
  if (attachment["kind"] === "weightedAllocation" && Array.isArray(attachment["allocations"])) {
    attachment["allocations"].forEach((a, i) => {
      if (isObject(a)) many(a["queueSelectors"], [...base, "allocations", i, "queueSelectors"]);
    });
  }
  return out;
}

/**
 * Every field of `o` that names another object: queue → distribution/exception policy, classification policy →
 * fallback queue and queues named by an `Id` selector, exception actions → queue / classification policy. Targets
 * may or may not exist in the namespace; callers decide. Selector values are references only when `isQueue` says
 * the value is a queue id (a label value that merely looks like one is left alone).
 */
export function referencesOf(o: LiveObject, isQueue: (id: string) => boolean): Reference[] {
  const refs: Reference[] = [];
  const add = (path: SpecPath, collection: AdminCollection, id: unknown): void => {
    if (typeof id === "string" && id !== "") refs.push({ from: o, path, collection, id });
  };
  const s = o.spec;
  switch (o.collection) {
    case "queues":
      add(["distributionPolicyId"], "distributionPolicies", s["distributionPolicyId"]);
      add(["exceptionPolicyId"], "exceptionPolicies", s["exceptionPolicyId"]);
      break;
    case "classificationPolicies": {
      add(["fallbackQueueId"], "queues", s["fallbackQueueId"]);
      const attachments = s["queueSelectorAttachments"];
      if (Array.isArray(attachments)) {
        attachments.forEach((a, i) => {
          for (const { path, selector } of queueSelectorPaths(a, ["queueSelectorAttachments", i])) {
            if (isObject(selector) && selector["key"] === "Id" && typeof selector["value"] === "string") {
              if (isQueue(selector["value"])) add([...path, "value"], "queues", selector["value"]);
            }
          }
        });
      }
      break;
    }
    case "exceptionPolicies": {
      const rules = s["exceptionRules"];
      if (!Array.isArray(rules)) break;
      rules.forEach((rule, r) => {
        if (!isObject(rule) || !Array.isArray(rule["actions"])) return;
        rule["actions"].forEach((action, a) => {
          if (!isObject(action)) return;
          const at: SpecPath = ["exceptionRules", r, "actions", a];
          if (action["kind"] === "manualReclassify") add([...at, "queueId"], "queues", action["queueId"]);
          if (action["kind"] === "reclassify")
            add([...at, "classificationPolicyId"], "classificationPolicies", action["classificationPolicyId"]);
        });
      });
      break;
    }
    default:
      break;
  }
  return refs;
}

export interface Selection {
  /** Collections to export; default all. */
  readonly collections?: readonly AdminCollection[];
  /** Ids to export (within those collections); default all. */
  readonly include?: (id: string) => boolean;
  /** Also export what the chosen objects refer to (default true). */
  readonly withReferenced?: boolean;
}

/** Index of a namespace by `collection/id`. */
export function indexNamespace(ns: Namespace): Map<string, LiveObject> {
  const out = new Map<string, LiveObject>();
  for (const list of Object.values(ns)) for (const o of list) out.set(objectKey(o.collection, o.id), o);
  return out;
}

/** The chosen objects plus, transitively, every object they refer to that exists in the namespace. */
export function selectObjects(ns: Namespace, selection: Selection = {}): LiveObject[] {
  const index = indexNamespace(ns);
  const isQueue = (id: string): boolean => index.has(objectKey("queues", id));
  const kinds = new Set(selection.collections ?? (Object.keys(ns) as AdminCollection[]));
  const chosen = new Map<string, LiveObject>();
  const pending: LiveObject[] = [];
  for (const [key, o] of index) {
    if (kinds.has(o.collection) && (selection.include?.(o.id) ?? true)) {
      chosen.set(key, o);
      pending.push(o);
    }
  }
  if (selection.withReferenced ?? true) {
    while (pending.length > 0) {
      const o = pending.pop() as LiveObject;
      for (const ref of referencesOf(o, isQueue)) {
        const key = objectKey(ref.collection, ref.id);
        const target = index.get(key);
        if (target && !chosen.has(key)) {
          chosen.set(key, target);
          pending.push(target);
        }
      }
    }
  }
  return [...chosen.values()].sort(compareObjects);
}

function compareObjects(a: LiveObject, b: LiveObject): number {
  return COLLECTION_RANK[a.collection] - COLLECTION_RANK[b.collection] || compareStrings(a.id, b.id);
}

export interface PlannedObject {
  readonly object: LiveObject;
  /** References to objects declared earlier in the program: written as `<variable>.id`. */
  readonly linked: readonly Reference[];
  /** References kept as id strings, with why. */
  readonly unlinked: ReadonlyArray<{ readonly ref: Reference; readonly reason: "outside" | "cycle" }>;
}

/**
 * Declaration order: an object comes after everything it refers to (so references are to variables already
 * declared), ties broken by kind and id so the order never depends on listing order. A reference cycle (queue →
 * exception policy → reclassify to a classification policy → fallback queue → the same queue) cannot be written as
 * references; the first object of the cycle in that order keeps its forward references as id strings.
 */
export function planExport(objects: readonly LiveObject[]): PlannedObject[] {
  const byKey = new Map(objects.map((o) => [objectKey(o.collection, o.id), o]));
  const isQueue = (id: string): boolean => byKey.has(objectKey("queues", id));
  const refsOf = new Map(objects.map((o) => [o, referencesOf(o, isQueue)]));
  const done = new Set<string>();
  const remaining = [...objects].sort(compareObjects);
  const out: PlannedObject[] = [];
  const inExport = (r: Reference): boolean => byKey.has(objectKey(r.collection, r.id));
  const ready = (o: LiveObject): boolean =>
    (refsOf.get(o) ?? []).every((r) => !inExport(r) || done.has(objectKey(r.collection, r.id)));
  while (remaining.length > 0) {
    let at = remaining.findIndex(ready);
    if (at < 0) at = 0; // a cycle: break it at the first remaining object
    const [o] = remaining.splice(at, 1) as [LiveObject];
    const linked: Reference[] = [];
    const unlinked: Array<{ ref: Reference; reason: "outside" | "cycle" }> = [];
    for (const r of refsOf.get(o) ?? []) {
      const key = objectKey(r.collection, r.id);
      if (!inExport(r)) unlinked.push({ ref: r, reason: "outside" });
      else if (done.has(key)) linked.push(r);
      else unlinked.push({ ref: r, reason: "cycle" });
    }
    done.add(objectKey(o.collection, o.id));
    out.push({ object: o, linked, unlinked });
  }
  return out;
}
