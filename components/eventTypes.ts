// The Event Grid event types that Job Router publishes on a Communication Services resource (api-version 2023-11-01).
//
// Listed explicitly rather than with a prefix filter: Event Grid's `includedEventTypes` matches exact names, and an
// explicit list shows a reviewer exactly what the subscription delivers.

import { ROUTER_EVENT_NAMES } from "../provider/client/models";

const SHORT_NAMES = ROUTER_EVENT_NAMES;

/** A Job Router event type without its namespace, e.g. `RouterJobQueued`. */
export type JobRouterEventShortName = (typeof SHORT_NAMES)[number];
/** A full Event Grid event type, e.g. `Microsoft.Communication.RouterJobQueued`. */
export type JobRouterEventType = `Microsoft.Communication.${JobRouterEventShortName}`;

export const EVENT_TYPE_PREFIX = "Microsoft.Communication.";

/** Every Job Router event type, fully qualified, in a stable order. The subscription's default filter. */
export const JOB_ROUTER_EVENT_TYPES: readonly JobRouterEventType[] = SHORT_NAMES.map(
  (s): JobRouterEventType => `${EVENT_TYPE_PREFIX}${s}`,
);

const KNOWN = new Set<string>(JOB_ROUTER_EVENT_TYPES);

/** Accepts a full or a short name; returns the full name, or undefined when it is not a Job Router event type. */
export function normaliseEventType(name: string): JobRouterEventType | undefined {
  const full = name.startsWith(EVENT_TYPE_PREFIX) ? name : `${EVENT_TYPE_PREFIX}${name}`;
  return isJobRouterEventType(full) ? full : undefined;
}

export function isJobRouterEventType(name: string): name is JobRouterEventType {
  return KNOWN.has(name);
}
