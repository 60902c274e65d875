// Shared vocabulary of the policy pack: the type tokens we match, safe access to property bags
// that may hold preview-time unknowns, config defaults, and the message format.

import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";

// ---------------------------------------------------------------- type tokens

/**
 * Type tokens of the resources this pack checks. Dynamic resources all share the `pulumi-nodejs`
 * package, so `validateResourceOfType` cannot tell them apart: every policy matches `args.type`.
 */
export const TYPES = {
  distributionPolicy: "pulumi-nodejs:dynamic/jobrouter:DistributionPolicy",
  queue: "pulumi-nodejs:dynamic/jobrouter:RouterQueue",
  classificationPolicy: "pulumi-nodejs:dynamic/jobrouter:ClassificationPolicy",
  exceptionPolicy: "pulumi-nodejs:dynamic/jobrouter:ExceptionPolicy",
  contactCenter: "jobrouter:index:ContactCenter",
} as const;
export type JobRouterKind = Exclude<keyof typeof TYPES, "contactCenter">;
export const JOB_ROUTER_KINDS: readonly JobRouterKind[] = [
  "distributionPolicy",
  "queue",
  "classificationPolicy",
  "exceptionPolicy",
];

/** The field that holds each object's own Job Router id (it defaults to the resource name). */
export const OWN_ID_FIELD: Record<JobRouterKind, string> = {
  distributionPolicy: "distributionPolicyId",
  queue: "queueId",
  classificationPolicy: "classificationPolicyId",
  exceptionPolicy: "exceptionPolicyId",
};

/** Human names used in messages. */
export const KIND_LABEL: Record<JobRouterKind, string> = {
  distributionPolicy: "distribution policy",
  queue: "queue",
  classificationPolicy: "classification policy",
  exceptionPolicy: "exception policy",
};

export function kindOf(type: string): JobRouterKind | undefined {
  return JOB_ROUTER_KINDS.find((k) => TYPES[k] === type);
}

/**
 * Event Grid subscriptions from @pulumi/azure-native, default module or an explicit API-version
 * module (`azure-native:eventgrid/v20250215:...`).
 */
const EVENT_SUBSCRIPTION_TYPE =
  /^azure-native:eventgrid(\/v[0-9a-z]+)?:(SystemTopicEventSubscription|EventSubscription)$/;
export function isEventSubscriptionType(type: string): boolean {
  return EVENT_SUBSCRIPTION_TYPE.test(type);
}

// ---------------------------------------------------------------- raw values and unknowns

/**
 * The policy SDK hands policies a proxy that throws as soon as a preview-time unknown is read,
 * which turns the whole policy into a "can't run during preview" note. These helpers read the
 * underlying values instead, so each policy can decide per field what an unknown means.
 */
const IS_SPECIAL_PROXY = "__isSpecialProxy";
const SPECIAL_PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * The engine's wire sentinels for unknown values of each type (bool, number, string, array,
 * asset, archive, object), as the Pulumi SDKs define them.
 */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** Strips the SDK's proxies (unknown-checking, secret-preserving) from a value, outermost first. */
export function unwrap(v: unknown): unknown {
  let cur = v;
  for (let i = 0; i < 4 && typeof cur === "object" && cur !== null; i++) {
    const target: unknown = Reflect.get(cur, IS_SPECIAL_PROXY) === true ? Reflect.get(cur, SPECIAL_PROXY_TARGET) : cur;
    if (target === cur) break;
    cur = target;
  }
  return cur;
}

export type Bag = Record<string, unknown>;

export function isBag(v: unknown): v is Bag {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads `obj[key]` without tripping the unknown-checking proxy. */
export function field(obj: unknown, key: string): unknown {
  const o = unwrap(obj);
  if (typeof o !== "object" || o === null) return undefined;
  // A property descriptor is taken from the proxy target, never through the `get` trap.
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && "value" in d ? unwrap(d.value) : undefined;
}

/** Own keys of a (possibly proxied) object. */
export function keys(obj: unknown): string[] {
  const o = unwrap(obj);
  return typeof o === "object" && o !== null ? Object.keys(o) : [];
}

/** Array elements of a (possibly proxied) array; anything else gives []. */
export function items(v: unknown): unknown[] {
  const a = unwrap(v);
  if (!Array.isArray(a)) return [];
  return a.map((_, i) => field(a, String(i)));
}

/** A field's state as policies see it. */
export type Read<T> =
  { state: "absent" } | { state: "unknown" } | { state: "known"; value: T } | { state: "wrongType"; value: unknown };

export function readString(obj: unknown, key: string): Read<string> {
  return classify(field(obj, key), (v): v is string => typeof v === "string");
}
export function readNumber(obj: unknown, key: string): Read<number> {
  return classify(field(obj, key), (v): v is number => typeof v === "number");
}
export function readBoolean(obj: unknown, key: string): Read<boolean> {
  return classify(field(obj, key), (v): v is boolean => typeof v === "boolean");
}
function classify<T>(v: unknown, guard: (v: unknown) => v is T): Read<T> {
  if (v === undefined || v === null) return { state: "absent" };
  if (isUnknown(v)) return { state: "unknown" };
  if (guard(v)) return { state: "known", value: v };
  return { state: "wrongType", value: v };
}

// ---------------------------------------------------------------- identity

/** An object's own Job Router id: the own-id input when set, else the resource name (the provider's default). */
export function ownId(kind: JobRouterKind, props: unknown, name: string): Read<string> {
  const r = readString(props, OWN_ID_FIELD[kind]);
  return r.state === "absent" ? { state: "known", value: name } : r;
}

// ---------------------------------------------------------------- config

/** A policy's config schema whose every property carries its default. */
export type SchemaWithDefaults = PolicyConfigSchema;

/**
 * The policy's effective config: schema defaults overlaid with what the engine (or a test) passes.
 * The engine also fills schema defaults, but reading them here keeps one source of truth and makes
 * `validateResource` callable directly.
 */
export function configOf<T extends object>(
  schema: SchemaWithDefaults,
  args: ResourceValidationArgs | StackValidationArgs,
): T {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties)) {
    if (typeof s === "object" && s.default !== undefined) out[k] = structuredClone(s.default);
  }
  const given: Record<string, unknown> = args.getConfig<Record<string, unknown>>();
  for (const [k, v] of Object.entries(given)) {
    if (k !== "enforcementLevel" && v !== undefined) out[k] = v;
  }
  return out as T;
}

// ---------------------------------------------------------------- messages

/**
 * Every violation reads `<where> <path>: <what must hold>. Fix: <how>.` The SDK prefixes the
 * policy's description; the engine prints the resource URN next to it.
 */
export function violation(where: string, path: string, rule: string, fix: string): string {
  const at = path ? `${where} ${path}` : where;
  return `${at}: ${rule} Fix: ${fix}`;
}

export function describeResource(kind: JobRouterKind | "contactCenter", name: string): string {
  const label = kind === "contactCenter" ? "ContactCenter" : KIND_LABEL[kind];
  return `${label} "${name}"`;
}

/** Renders a value for a message; never used for credential values. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return typeof v;
}

export type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs };
