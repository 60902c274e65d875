// `check`: every field is validated against the service's rules (provider/client/validation.ts, the
// same rules the emulator enforces) before anything is sent, and the inputs are returned in canonical
// form so that the engine's own input diff compares like with like.
//
// Pure: no request is ever made here. Values still unknown during preview are skipped, along with
// anything nested inside them.

import { validateAdminBody, validateId, type Violation } from "./client/validation";
import type { AdminCollection } from "./client/models";
import { canonicalSpec } from "./canonical";
import {
  connectionIdentity,
  connectionInputProblems,
  connectionProblem,
  resolveConnection,
  type ConnectionSources,
} from "./connection";
import { containsUnknown, isObject, isUnknown, type JsonObject } from "./json";
import {
  ADOPTED_KEY,
  ADOPT_KEY,
  CONNECTED_TO_KEY,
  CONNECTION_KEY,
  ETAG_KEY,
  KINDS,
  LEAVE_KEY,
  LEGACY_ORIGIN_KEY,
  LEGACY_OWNER_KEY,
  ORIGIN_KEY,
  OWNER_KEY,
  PROVIDER_KEY,
  bookkeepingKey,
} from "./kinds";
import { inComponentTerms } from "./origin";
import { isAdoptValue } from "./ownership";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome {
  inputs: JsonObject;
  failures: CheckFailure[];
  /** Things the service accepts that probably do not do what was meant; said, not refused. */
  warnings?: string[];
}

/** Splits `exceptionRules[0].actions[1].id` into `["exceptionRules", 0, "actions", 1, "id"]`. */
export function pathSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ""));
  return out;
}

/** True when the value at `path`, or any value on the way to it, is unknown (so the violation may be spurious). */
export function touchesUnknown(root: unknown, path: string): boolean {
  let current: unknown = root;
  if (isUnknown(current)) return true;
  for (const seg of pathSegments(path)) {
    if (Array.isArray(current) && typeof seg === "number") current = current[seg];
    else if (isObject(current) && typeof seg === "string") current = current[seg];
    else return false;
    if (isUnknown(current)) return true;
  }
  return false;
}

/**
 * A failure names the property path and the rule in its reason. The property itself is left empty: for a
 * named property the engine prints that property's whole input value next to the reason, and that value
 * can hold a secret (a webhook client secret inside a rule, the connection string) in plaintext.
 */
function failure(v: Pick<Violation, "path" | "rule" | "message">): CheckFailure {
  return { property: "", reason: `${v.message} [rule: ${v.rule}]` };
}

/** The service body in the inputs: everything but our own inputs. */
export function serviceBody(collection: AdminCollection, inputs: JsonObject): JsonObject {
  const { idKey } = KINDS[collection];
  const body: JsonObject = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (k === idKey || k === CONNECTION_KEY || k === ADOPT_KEY || k === OWNER_KEY || k === PROVIDER_KEY) continue;
    if (k === ETAG_KEY || k === ORIGIN_KEY || k === LEGACY_ORIGIN_KEY || k === LEGACY_OWNER_KEY) continue;
    if (k === LEAVE_KEY || k === ADOPTED_KEY || k === CONNECTED_TO_KEY) continue;
    if (v === undefined) continue;
    body[k] = v;
  }
  return body;
}

/**
 * `olds` are the resource's previous inputs ({} for a new resource). `adoptExisting`, `owner` and
 * `componentOrigin` only matter at create: they are taken from the program when a create may follow (a new resource, or a new id), and
 * copied from the previous inputs otherwise, so they never show up in a diff (a rename with `aliases`, a
 * program that drops `adoptExisting` after the adoption) and the owner stays the resource that created or
 * adopted the object.
 */
export function checkInputs(
  collection: AdminCollection,
  news: JsonObject,
  sources: ConnectionSources,
  olds: JsonObject = {},
): CheckOutcome {
  const kind = KINDS[collection];
  const failures: CheckFailure[] = [];

  const id = news[kind.idKey];
  if (id === undefined || id === null) {
    failures.push(failure({ path: kind.idKey, rule: "required", message: `${kind.idKey}: is required` }));
  } else if (!isUnknown(id)) {
    for (const v of validateId(id, kind.idKey)) failures.push(failure(v));
  }

  const connection = news[CONNECTION_KEY];
  const connectionProblems = connectionInputProblems(connection);
  for (const [path, message] of connectionProblems) failures.push(failure({ path, rule: "connection", message }));
  if (connectionProblems.length === 0) {
    const missing = connectionProblem(connection, sources);
    if (missing !== undefined)
      failures.push(failure({ path: CONNECTION_KEY, rule: "connection", message: `${CONNECTION_KEY}: ${missing}` }));
  }

  const adopt = news[ADOPT_KEY];
  if (!isAdoptValue(adopt) && !isUnknown(adopt)) {
    failures.push(
      failure({ path: ADOPT_KEY, rule: "type", message: `${ADOPT_KEY}: must be true, false or "overwrite"` }),
    );
  }

  const leave = news[LEAVE_KEY];
  if (leave !== undefined && leave !== null && typeof leave !== "boolean" && !isUnknown(leave)) {
    failures.push(failure({ path: LEAVE_KEY, rule: "type", message: `${LEAVE_KEY}: must be true or false` }));
  }

  const body = serviceBody(collection, news);
  // Typos in field names are reported: the service would silently drop them (and the diff would never settle).
  const warnings: string[] = [];
  const originKey = bookkeepingKey(news, ORIGIN_KEY);
  const origin = originKey !== undefined && typeof news[originKey] === "string" ? news[originKey] : undefined;
  for (const found of validateAdminBody(collection, body, { unknownProperties: "report" })) {
    if (touchesUnknown(body, found.path)) continue;
    // Inside a ContactCenter: the component's name, key and argument names (REST field in brackets).
    const v = origin !== undefined ? { ...found, message: inComponentTerms(origin, found.path, found.message) } : found;
    // Legacy kebab-case kinds are normalised by canonicalSpec; the warnings worth saying are the others.
    if (v.severity === "warning") {
      if (v.rule !== "legacyKind") warnings.push(v.message);
      continue;
    }
    failures.push(failure(v));
  }
  const knownId = typeof id === "string" && !isUnknown(id) ? id : undefined;
  if (collection === "queues" && knownId !== undefined && isObject(body["labels"])) {
    const idLabel = body["labels"]["Id"];
    if (idLabel !== undefined && idLabel !== null && !isUnknown(idLabel) && idLabel !== knownId) {
      failures.push(
        failure({
          path: "labels.Id",
          rule: "reservedLabel",
          message: `labels.Id: is set by the service to the queue id (${JSON.stringify(knownId)}); leave it out`,
        }),
      );
    }
  }

  // In the program's order (see canonical.ts): the engine's diff and the policy pack index these inputs.
  const inputs: JsonObject = {
    [kind.idKey]: id,
    ...canonicalSpec(collection, body, knownId, { keepOrder: true, keepDefaults: true }),
  };
  if (connection !== undefined && connection !== null) inputs[CONNECTION_KEY] = connection;
  // The connection in use, whichever route it comes from (connectionCheck.ts); left out while it is not known.
  if (connectionProblems.length === 0 && !containsUnknown(connection)) {
    try {
      inputs[CONNECTED_TO_KEY] = connectionIdentity(resolveConnection(connection, sources));
    } catch {
      // Already reported above as a failure.
    }
  }
  // An ordinary input: changing it is an update that writes nothing to the service (delete reads it from state).
  if (leave !== undefined && leave !== null) inputs[LEAVE_KEY] = leave;
  const creating = olds[kind.idKey] === undefined || olds[kind.idKey] !== id;
  const from = creating ? news : olds;
  if (from[ADOPT_KEY] !== undefined && from[ADOPT_KEY] !== null) inputs[ADOPT_KEY] = from[ADOPT_KEY];
  // Each under the key it came with (kinds.ts): `__owner` from today's classes, `owner` in older state.
  const ownerKey = bookkeepingKey(from, OWNER_KEY);
  if (ownerKey !== undefined) inputs[ownerKey] = from[ownerKey];
  // Kept for create's refusals (said in the component's terms), like the owner: never sent, never in a diff.
  const fromOrigin = bookkeepingKey(from, ORIGIN_KEY);
  if (fromOrigin !== undefined && typeof from[fromOrigin] === "string") inputs[fromOrigin] = from[fromOrigin];
  return warnings.length > 0 ? { inputs, failures, warnings } : { inputs, failures };
}
