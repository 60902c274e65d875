// A changed connection is checked before anything is recorded, and a refresh never drops a resource because
// the connection is wrong.
//
// Each resource keeps in its state `connectedTo`: the endpoint and a fingerprint of the key it was last read or
// written through (connection.ts `connectionIdentity`), whichever route the connection came from (the resource's
// `connection` argument, the stack config `jobrouter:connectionString`, the environment). `check` puts the
// current one into the inputs, so a change of key or endpoint is a change the engine shows and sends to `update`.
//
// update: when the connection moved, the object is first read through the new connection. 401/403 → the
// update fails with where the key came from; 404 → it fails naming both endpoints; either way the state keeps
// the previous connection. Found → the move is recorded from that read (a key rotation: no write).
//
// read (refresh): a 404 drops the resource only when the object is really gone, by this rule:
//  - the connection is the one recorded (`connectedTo` unchanged, or not yet recorded), and
//  - the namespace answers as a Job Router: listing the object's collection succeeds.
// A 404 through another connection than the recorded one, or from an endpoint that answers 404 (or anything
// but a page) for the collection itself, stops the refresh with the reason and the fix; 401/403 always do.

import type { JobRouterClient } from "./client/client";
import { JobRouterError } from "./client/errors";
import type { AdminCollection, AdminOutputByCollection } from "./client/models";
import {
  CONNECTION_CONFIG_KEY,
  CONNECTION_ENV_VAR,
  ENDPOINT_CONFIG_KEY,
  connectionIdentity,
  describeSource,
  endpointOfIdentity,
  type ResolvedConnection,
} from "./connection";
import type { JsonObject } from "./json";
import { CONNECTED_TO_KEY, CONNECTION_KEY, KINDS } from "./kinds";
import { stackless } from "./messages";

function describe(collection: AdminCollection, id: string): string {
  return `${KINDS[collection].noun} "${id}"`;
}

function recorded(bag: JsonObject): string | undefined {
  const v = bag[CONNECTED_TO_KEY];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** How to set the connection from where it came, for the fix in a message. */
function howToSet(via: ResolvedConnection["via"]): string {
  switch (via) {
    case "config":
      return `pulumi config set --secret ${CONNECTION_CONFIG_KEY} "endpoint=https://...;accesskey=..."`;
    case "env":
      return `export ${CONNECTION_ENV_VAR}="endpoint=https://...;accesskey=..."`;
    case "endpointConfig":
      return `pulumi config set ${ENDPOINT_CONFIG_KEY} https://<resource>.communication.azure.com`;
    default:
      return "change the resource's `connection` argument in the program";
  }
}

/** The message of a 401/403, with where the credential came from; undefined for any other failure. */
export function credentialRefusal(
  e: unknown,
  what: string,
  resolved: ResolvedConnection,
  nothingDone: string,
  fixFirst?: string,
): Error | undefined {
  if (!(e instanceof JobRouterError) || (e.statusCode !== 401 && e.statusCode !== 403)) return undefined;
  const credential = resolved.auth === "accessKey" ? "access key" : "Entra ID token";
  const refused =
    e.statusCode === 401
      ? `${resolved.endpoint} refused the ${credential} (401 Unauthorized)`
      : `${resolved.endpoint} accepted the ${credential} but does not allow this (403 Forbidden)`;
  const fix =
    fixFirst ??
    (resolved.auth === "accessKey"
      ? `Set the key of this Communication Services resource (Azure portal: the resource → Keys), with ${howToSet(resolved.via)}, or set back the previous one`
      : "Give the identity DefaultAzureCredential finds a role on the resource that allows Job Router administration");
  return stackless(
    `jobrouter: ${what}: ${refused}. The ${resolved.auth === "accessKey" ? "key" : "endpoint"} comes from ` +
      `${describeSource(resolved.via)}. ${nothingDone} ${fix}. (The service answered: ${e.message})`,
  );
}

/** The connection recorded in the previous state, when the new inputs name another one. */
export function movedFrom(olds: JsonObject, news: JsonObject): string | undefined {
  const before = recorded(olds);
  const after = recorded(news);
  return before !== undefined && after !== undefined && before !== after ? before : undefined;
}

/**
 * update: when the connection moved, reads the object through the new connection first. Returns the object as
 * found there (the update then goes on from it), or undefined when the connection did not move.
 */
export async function readThroughMovedConnection<C extends AdminCollection>(
  client: JobRouterClient,
  resolved: ResolvedConnection,
  collection: C,
  id: string,
  olds: JsonObject,
  news: JsonObject,
): Promise<AdminOutputByCollection[C] | undefined> {
  const before =
    movedFrom(olds, news) ??
    (connectionArgChanged(olds, news) ? "the connection of the previous deployment" : undefined);
  if (before === undefined) return undefined;
  const what = `cannot move ${describe(collection, id)} to the new connection`;
  const kept = `Nothing was written and nothing recorded: the state keeps the previous connection (${before}).`;
  let live: AdminOutputByCollection[C] | undefined;
  try {
    live = await client.tryGet(collection, id);
  } catch (e) {
    throw credentialRefusal(e, what, resolved, kept) ?? e;
  }
  if (live === undefined) {
    throw stackless(
      `jobrouter: ${what}: it does not exist at the new endpoint ${resolved.endpoint} (GET /routing/${collection}/${id} ` +
        `answered 404), while this stack manages it at ${endpointOfIdentity(before)}. ${kept} The new connection comes ` +
        `from ${describeSource(resolved.via)}. If the change was a mistake, set the connection back ` +
        `(${howToSet(resolved.via)}). A stack's objects do not move by changing its connection: to deploy this ` +
        "program to another Job Router, use another stack (pulumi stack init) with that connection.",
    );
  }
  return live;
}

/**
 * The `connection` input changed in a state written before `connectedTo` existed (which had no `connection` at
 * all when it came from the stack config): checked the same way, once.
 */
function connectionArgChanged(olds: JsonObject, news: JsonObject): boolean {
  if (recorded(olds) !== undefined) return false;
  return JSON.stringify(olds[CONNECTION_KEY] ?? null) !== JSON.stringify(news[CONNECTION_KEY] ?? null);
}

/**
 * read: the object answered 404. Returns undefined when the resource may be dropped (really deleted, by the
 * rule above), or the error that stops the refresh instead.
 */
export async function whyNotDrop(
  client: JobRouterClient,
  resolved: ResolvedConnection,
  collection: AdminCollection,
  id: string,
  props: JsonObject,
): Promise<Error | undefined> {
  const what = `refresh kept ${describe(collection, id)}`;
  const kept = "Nothing was dropped from the state.";
  const before = recorded(props);
  const now = connectionIdentity(resolved);
  if (before !== undefined && before !== now) {
    return stackless(
      `jobrouter: ${what}: it is not at ${resolved.endpoint} (404), but this stack last read or wrote it through ` +
        `another connection (${before}); the connection now comes from ${describeSource(resolved.via)}. Not being ` +
        `found through a different connection says nothing about whether it still exists. ${kept} Set the ` +
        `connection back to the one this stack was deployed with (${howToSet(resolved.via)}) and refresh again. ` +
        "To deploy this program to another Job Router, use another stack with that connection.",
    );
  }
  // Same connection: a Job Router lists the collection; anything else at that address does not.
  try {
    await client.list(collection).byPage({ maxPageSize: 1 }).next();
    return undefined;
  } catch (e) {
    // Cancelled: not an answer about the namespace (the caller says it was cancelled).
    if (e instanceof Error && e.name === "AbortError") throw e;
    const refused = credentialRefusal(e, what, resolved, kept, refreshFix(resolved));
    if (refused !== undefined) return refused;
    const answer = e instanceof Error ? e.message : String(e);
    return stackless(
      `jobrouter: ${what}: ${resolved.endpoint} answers 404 for it, and listing the collection failed too ` +
        `(${answer}): the endpoint does not behave as a Job Router (a wrong host, port or path?), so the 404 does ` +
        `not show that the object was deleted. ${kept} Check the connection, which comes from ` +
        `${describeSource(resolved.via)} (${howToSet(resolved.via)}), and refresh again.`,
    );
  }
}

/** What to do when refresh's connection (the one recorded at the last `up`) is refused. */
export function refreshFix(resolved: ResolvedConnection): string {
  const recordedOne = `Refresh reads through the connection recorded at the last \`pulumi up\` (${connectionIdentity(resolved)})`;
  if (resolved.via === "connection") {
    return `${recordedOne}. Fix the resource's \`connection\` argument and run \`pulumi up\`, which reads each object through it and records it; then refresh`;
  }
  if (resolved.auth === "entraId") {
    return (
      `${recordedOne}. Give the identity DefaultAzureCredential finds a role on the resource that allows Job Router ` +
      `administration and refresh again; if the endpoint is wrong, set it (${howToSet(resolved.via)}) and run \`pulumi up\``
    );
  }
  return (
    `${recordedOne}. If the key was rotated, set the new one (${howToSet(resolved.via)}) and run \`pulumi up\`: it reads ` +
    "each object through the new key (no write) and records it; refresh uses it from then on"
  );
}
