// Configurations from the user's stack instead of hand-written JSON:
// - a `pulumi stack export` (the state: what is deployed now),
// - a `pulumi preview --json` (each step's new inputs: what the change would deploy),
// - the live namespace behind a connection string (read with our REST client).
// Our four dynamic resources carry the Job Router id in their id input (queueId, ...) and the service fields under
// their REST names, so a resource maps to a REST object by dropping our own keys.

import { KINDS, CONNECTION_KEY, ADOPT_KEY, ETAG_KEY, PROVIDER_KEY } from "../provider/kinds";
import type { AdminCollection } from "../provider/client/models";
import { JobRouterClient } from "../provider/client/client";
import type { RoutingConfig } from "../routing/config";
import { validateConfig } from "./scenario";

/** Pulumi's marker for secret values in state and previews. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Pulumi's unknown-value sentinel (a value only known after deployment). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const OWN_KEYS = new Set([CONNECTION_KEY, ADOPT_KEY, ETAG_KEY, PROVIDER_KEY]);

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);

function collectionOf(type: string): AdminCollection | undefined {
  if (!type.startsWith("pulumi-nodejs:dynamic")) return undefined;
  const name = type.slice(type.lastIndexOf(":") + 1);
  for (const k of Object.values(KINDS)) if (k.typeName === name) return k.collection;
  return undefined;
}

/** Replace Pulumi secret envelopes by their plaintext (present with --show-secrets); refuse unknowns and ciphertext. */
function reveal(v: Json, path: string): Json {
  if (Array.isArray(v)) return v.map((x, i) => reveal(x, `${path}[${i}]`));
  if (v === UNKNOWN) {
    throw new Error(`${path}: the value is unknown until deployment, so this configuration cannot be simulated yet`);
  }
  if (!isObj(v)) return v;
  if (v[SECRET_SIG] !== undefined) {
    if (typeof v.plaintext === "string") return reveal(JSON.parse(v.plaintext) as Json, path);
    if ("value" in v) return reveal(v.value, path);
    throw new Error(`${path}: the value is a secret; export with --show-secrets to simulate it`);
  }
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) out[k] = reveal(x, `${path}.${k}`);
  return out;
}

function toRestObject(collection: AdminCollection, bag: Record<string, Json>, where: string): Record<string, Json> {
  const idKey = KINDS[collection].idKey;
  const id = bag[idKey] ?? bag.id;
  if (typeof id !== "string")
    throw new Error(`${where}.${idKey}: missing; cannot tell which ${KINDS[collection].noun} this is`);
  const out: Record<string, Json> = { id };
  for (const f of KINDS[collection].fields) {
    if (bag[f] !== undefined && !OWN_KEYS.has(f)) out[f] = reveal(bag[f], `${where}.${f}`);
  }
  return out;
}

function emptyConfig(): Record<AdminCollection, Array<Record<string, Json>>> {
  return { distributionPolicies: [], queues: [], classificationPolicies: [], exceptionPolicies: [] };
}

function sorted(c: Record<AdminCollection, Array<Record<string, Json>>>): Json {
  const byId = (a: Record<string, Json>, b: Record<string, Json>): number => String(a.id).localeCompare(String(b.id));
  return {
    distributionPolicies: c.distributionPolicies.sort(byId),
    queues: c.queues.sort(byId),
    classificationPolicies: c.classificationPolicies.sort(byId),
    exceptionPolicies: c.exceptionPolicies.sort(byId),
  };
}

/** The deployed configuration in a `pulumi stack export` (the resources' outputs). */
export function configFromStackExport(exported: Json): RoutingConfig {
  // `pulumi stack export` writes { version, deployment: { resources } }; the Automation API hands out the inner part.
  const deployment = isObj(exported) && isObj(exported.deployment) ? exported.deployment : exported;
  const resources = isObj(deployment) ? deployment.resources : undefined;
  if (!Array.isArray(resources))
    throw new Error("stack export: deployment.resources is missing (is this `pulumi stack export` output?)");
  const c = emptyConfig();
  resources.forEach((r, i) => {
    if (!isObj(r) || typeof r.type !== "string") return;
    const col = collectionOf(r.type);
    if (!col) return;
    const bag = isObj(r.outputs) ? r.outputs : isObj(r.inputs) ? r.inputs : {};
    c[col].push(toRestObject(col, bag, `deployment.resources[${i}] (${String(r.urn)})`));
  });
  return validateConfig(sorted(c), "stack export");
}

/**
 * The configuration a `pulumi preview --json` would deploy. The CLI lists only the resources that change, so the
 * steps are applied over `base` (the deployed configuration: a stack export or the live namespace): a create or update
 * puts the step's new inputs in place, a delete removes the object. Without a base the preview must list every object.
 */
export function configFromPreview(preview: Json, base?: RoutingConfig): RoutingConfig {
  const steps = isObj(preview) ? preview.steps : undefined;
  if (!Array.isArray(steps)) throw new Error("preview: steps is missing (is this `pulumi preview --json` output?)");
  const byKey = new Map<string, { col: AdminCollection; o: Record<string, Json> }>();
  const keyOf = (col: AdminCollection, id: string): string => `${col}/${id}`;
  if (base) {
    for (const col of Object.keys(KINDS) as AdminCollection[]) {
      for (const o of base[col] as unknown as Array<Record<string, Json>>)
        byKey.set(keyOf(col, String(o.id)), { col, o });
    }
  }
  steps.forEach((s, i) => {
    if (!isObj(s)) return;
    const where = `steps[${i}] (${String(s.urn)})`;
    if (s.op === "delete") {
      const old = s.oldState;
      if (!isObj(old) || typeof old.type !== "string") return;
      const col = collectionOf(old.type);
      if (!col) return;
      const bag = isObj(old.outputs) ? old.outputs : isObj(old.inputs) ? old.inputs : {};
      const id = bag[KINDS[col].idKey] ?? old.id;
      if (typeof id === "string") byKey.delete(keyOf(col, id));
      return;
    }
    // A replacement also lists the old object's removal (delete-replaced); the new one, with its id, stays.
    if (["delete-replaced", "discard", "discard-replaced", "read", "refresh"].includes(String(s.op))) return;
    const state = s.newState;
    if (!isObj(state) || typeof state.type !== "string") return;
    const col = collectionOf(state.type);
    if (!col) return;
    const o = toRestObject(col, isObj(state.inputs) ? state.inputs : {}, where);
    byKey.set(keyOf(col, String(o.id)), { col, o });
  });
  const c = emptyConfig();
  for (const { col, o } of byKey.values()) c[col].push(o);
  try {
    return validateConfig(sorted(c), "preview");
  } catch (err) {
    if (base || !(err instanceof Error)) throw err;
    throw new Error(
      `${err.message}\n(\`pulumi preview --json\` lists only the resources that change: give the deployed configuration too, with --before-state or --live)`,
    );
  }
}

/** The live configuration of the namespace behind a connection string. */
export async function configFromLive(connectionString: string): Promise<RoutingConfig> {
  const client = JobRouterClient.fromConnectionString(connectionString);
  const c = emptyConfig();
  const strip = (o: object): Record<string, Json> => {
    const rest: Record<string, Json> = { ...(o as Record<string, Json>) };
    delete rest.etag;
    return rest;
  };
  for await (const o of client.listDistributionPolicies()) c.distributionPolicies.push(strip(o));
  for await (const o of client.listQueues()) c.queues.push(strip(o));
  for await (const o of client.listClassificationPolicies()) c.classificationPolicies.push(strip(o));
  for await (const o of client.listExceptionPolicies()) c.exceptionPolicies.push(strip(o));
  return validateConfig(sorted(c), "live");
}

/** One of our routing resources as a policy or tool sees it: its type token, resource name and property bag. */
export interface ResourceView {
  type: string;
  name: string;
  props: unknown;
}

/**
 * The configuration held by a set of resources (a policy pack's view of a stack). The id input defaults to the
 * resource name, as the providers do. Throws when a routing value is unknown (only known after deployment).
 */
export function configFromResources(resources: readonly ResourceView[]): RoutingConfig {
  return validateConfig(resourcesToConfig(resources), "stack");
}

/**
 * The same configuration, not yet validated: for a caller that validates it together with traffic (validateScenario),
 * so one pass names every problem of both.
 */
export function resourcesToConfig(resources: readonly ResourceView[]): RoutingConfig {
  const c = emptyConfig();
  for (const r of resources) {
    const col = collectionOf(r.type);
    if (!col || !isObj(r.props)) continue;
    const bag: Record<string, Json> = { ...r.props };
    const idKey = KINDS[col].idKey;
    if (bag[idKey] === undefined || bag[idKey] === null) bag[idKey] = r.name;
    c[col].push(toRestObject(col, bag, `${KINDS[col].noun} "${r.name}"`));
  }
  // Typed as what it becomes once validated; simulate() validates it before anything runs.
  return sorted(c) as RoutingConfig;
}
