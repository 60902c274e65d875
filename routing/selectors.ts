// Label selectors: how a queue selector matches a queue's labels and a worker selector matches a
// worker's labels, and how worker selectors expire.
//
// Type rules (the service does not document them; these are this emulator's choices, listed in
// README.md ("Routing in the emulator")):
// - A selector whose key is absent from the labels never matches, whatever the operator (a worker
//   without the label is not qualified, even for `notEqual`).
// - `equal` / `notEqual` compare values of the same JSON type exactly: numbers numerically (1 = 1.0),
//   strings case-sensitively, booleans and null by identity. Values of different types are unequal.
// - `lessThan` / `lessThanOrEqual` / `greaterThan` / `greaterThanOrEqual` compare two numbers
//   numerically or two strings by ordinal (code unit) order; any other pairing does not match.

import type {
  LabelOperator,
  Labels,
  Primitive,
  RouterQueueSelector,
  RouterWorkerSelector,
  RouterWorkerSelectorInput,
} from "../provider/client/models";
import { formatServiceTime } from "./clock";

export function compareLabel(
  actual: Primitive | undefined,
  op: LabelOperator,
  expected: Primitive | undefined,
): boolean {
  if (actual === undefined) return false;
  const want = expected === undefined ? null : expected;
  switch (op) {
    case "equal":
      return typeof actual === typeof want && actual === want;
    case "notEqual":
      return !(typeof actual === typeof want && actual === want);
    case "lessThan":
    case "lessThanOrEqual":
    case "greaterThan":
    case "greaterThanOrEqual": {
      let cmp: number;
      if (typeof actual === "number" && typeof want === "number") cmp = actual - want;
      else if (typeof actual === "string" && typeof want === "string") cmp = actual < want ? -1 : actual > want ? 1 : 0;
      else return false;
      if (op === "lessThan") return cmp < 0;
      if (op === "lessThanOrEqual") return cmp <= 0;
      if (op === "greaterThan") return cmp > 0;
      return cmp >= 0;
    }
    default:
      return false;
  }
}

export interface LabelSelector {
  key: string;
  labelOperator: LabelOperator;
  value?: Primitive;
}

export function matchesSelector(labels: Labels | undefined, selector: LabelSelector): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, selector.key);
  return compareLabel(has ? labels[selector.key] : undefined, selector.labelOperator, selector.value);
}

/** True when every selector matches (an empty list matches everything). */
export function matchesAll(labels: Labels | undefined, selectors: readonly LabelSelector[]): boolean {
  for (const s of selectors) if (!matchesSelector(labels, s)) return false;
  return true;
}

/** Queues whose labels satisfy every queue selector, in id order (deterministic choice). */
export function matchingQueueIds(
  queues: ReadonlyArray<{ id: string; labels?: Labels }>,
  selectors: readonly RouterQueueSelector[],
): string[] {
  return queues
    .filter((q) => matchesAll(q.labels, selectors))
    .map((q) => q.id)
    .sort();
}

/**
 * Turn a selector as written by a client or produced by classification into the stored form: an
 * `expiresAfterSeconds` gets an absolute `expiresAt` counted from `attachedAtMs`, and a status.
 */
export function materializeSelector(input: RouterWorkerSelectorInput, attachedAtMs: number): RouterWorkerSelector {
  const out: RouterWorkerSelector = { key: input.key, labelOperator: input.labelOperator };
  if (input.value !== undefined) out.value = input.value;
  const ttl = input.expiresAfterSeconds;
  if (ttl !== undefined && ttl !== null) out.expiresAfterSeconds = ttl;
  // [rec: Python SDK, 2023-11-01] a job's worker selectors always carry `expedite` (false unless sent true)
  out.expedite = input.expedite ?? false;
  out.status = "active";
  if (ttl !== undefined && ttl !== null) out.expiresAt = formatServiceTime(attachedAtMs + ttl * 1000);
  return out;
}

/**
 * Parsed expiry stamps: every matching pass reads the expiry of each queued job's selectors, and parsing the same
 * string again each time was a large share of a simulation's time. Bounded: cleared when it grows large.
 */
const parsedExpiry = new Map<string, number>();

export function selectorExpiryMs(s: RouterWorkerSelector): number | undefined {
  const at = s.expiresAt;
  if (!at) return undefined;
  let ms = parsedExpiry.get(at);
  if (ms === undefined) {
    if (parsedExpiry.size >= 10_000) parsedExpiry.clear();
    ms = Date.parse(at);
    parsedExpiry.set(at, ms);
  }
  return Number.isNaN(ms) ? undefined : ms;
}

export function isExpired(s: RouterWorkerSelector, nowMs: number): boolean {
  if (s.status === "expired") return true;
  const at = selectorExpiryMs(s);
  return at !== undefined && at <= nowMs;
}

/**
 * Mark selectors whose time has come as expired. Returns the new list and the ones that expired on
 * this call (for the RouterJobWorkerSelectorsExpired event).
 */
export function expireSelectors(
  selectors: readonly RouterWorkerSelector[],
  nowMs: number,
): { selectors: RouterWorkerSelector[]; newlyExpired: RouterWorkerSelector[] } {
  const newlyExpired: RouterWorkerSelector[] = [];
  const out = selectors.map((s) => {
    if (s.status !== "expired" && isExpired(s, nowMs)) {
      const e: RouterWorkerSelector = { ...s, status: "expired" };
      newlyExpired.push(e);
      return e;
    }
    return s;
  });
  return { selectors: out, newlyExpired };
}

/** The selectors that still constrain matching. */
export function activeSelectors(selectors: readonly RouterWorkerSelector[], nowMs: number): RouterWorkerSelector[] {
  // Usually none has expired: the list itself is the answer (callers never modify it).
  let i = 0;
  while (i < selectors.length && !isExpired(selectors[i] as RouterWorkerSelector, nowMs)) i++;
  if (i === selectors.length) return selectors as RouterWorkerSelector[];
  return selectors.filter((s) => !isExpired(s, nowMs));
}

/** The earliest future expiry among active selectors, to arm a timer. */
export function nextExpiry(selectors: readonly RouterWorkerSelector[], nowMs: number): number | undefined {
  let best: number | undefined;
  for (const s of selectors) {
    if (s.status === "expired") continue;
    const at = selectorExpiryMs(s);
    if (at !== undefined && at > nowMs && (best === undefined || at < best)) best = at;
  }
  return best;
}
