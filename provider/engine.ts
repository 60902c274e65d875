// The implementation behind the four dynamic providers: configure, check, diff, create, read, update,
// delete, parameterised by collection.
//
// The providers serialized into state are tiny objects whose methods `require` this module by package
// name at call time (see resources/providers.ts), so state holds no code of ours and refresh/destroy run
// the installed version of this file. It keeps one piece of process state: the stack config handed to
// `configure` by the dynamic-provider host, which is where `jobrouter:connectionString` and `jobrouter:endpoint`
// come from.

import { AzureKeyCredential } from "@azure/core-auth";
import type { TokenCredential } from "@azure/core-auth";
import { JobRouterClient } from "./client/client";
import { JobRouterError } from "./client/errors";
import type { AdminCollection } from "./client/models";
import { canonicalSpec, withDerivedActionIds } from "./canonical";
import { checkInputs, serviceBody, type CheckOutcome } from "./check";
import { connectionIdentity, resolveConnection, type ConnectionSources, type ResolvedConnection } from "./connection";
import { credentialRefusal, readThroughMovedConnection, refreshFix, whyNotDrop } from "./connectionCheck";
import { containsCredential, reconcileCredentials } from "./credentials";
import { diffInputs, type DiffOutcome } from "./diff";
import { deepEqual, isObject, type JsonObject } from "./json";
import { describeDependents, findDependents } from "./dependents";
import { hostLog } from "./hostLog";
import { connectionHint, quietHostErrors, retryReporter, stackless } from "./messages";
import {
  ADOPTED_KEY,
  ADOPT_KEY,
  CONNECTED_TO_KEY,
  CONNECTION_KEY,
  ETAG_KEY,
  KINDS,
  LEAVE_KEY,
  ORIGIN_KEY,
  OWNER_KEY,
  bookkeepingKey,
} from "./kinds";
import { refusalInComponentTerms } from "./origin";
import {
  defaultJournalDir,
  journalKey,
  pruneJournal,
  readEntry,
  recordCreate,
  recordOwner,
  removeEntry,
  settleEntry,
  specHash,
  journalSalt,
  vouchesFor,
} from "./journal";
import { mergePatchFor } from "./mergePatch";
import { cancelSignal, cancelledError, installCancelHook, isCancelled } from "./cancellation";
import { TIMEOUT_HINT, resolveRequestTimeout } from "./requestTimeout";
import {
  NOBODY,
  adoptedMessage,
  componentOfOrigin,
  adoptMode,
  decideExisting,
  handedOver,
  importedMessage,
  leftByChoiceMessage,
  leftInPlaceMessage,
  leavesOnDelete,
  ownerOf,
} from "./ownership";

// ------------------------------------------------------------------ configuration

/** What the dynamic-provider host passes to `configure`: the whole stack config. */
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
}

let stackConfig: ConfigureRequest["config"] | undefined;

export async function configure(req: ConfigureRequest): Promise<void> {
  stackConfig = req.config;
  installCancelHook();
}

/** PULUMI_CONFIG, which the engine sets for plugins too, as a fallback when configure was not called. */
function configFromEnvironment(key: string): string | undefined {
  const raw = process.env["PULUMI_CONFIG"];
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    const v = isObject(parsed) ? parsed[key] : undefined;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

export const hostSources: ConnectionSources = {
  config: (key) => stackConfig?.get(key) ?? configFromEnvironment(key),
  env: (name) => process.env[name],
};

/** A client for the resource's connection (input, else stack config, else environment). */
export function clientFor(connection: unknown, sources: ConnectionSources = hostSources): JobRouterClient {
  return connect(connection, sources).client;
}

/** The resolved connection and its client: for operations whose messages also say where the connection came from. */
function connect(
  connection: unknown,
  sources: ConnectionSources = hostSources,
): { client: JobRouterClient; resolved: ResolvedConnection } {
  installCancelHook();
  const resolved = resolveConnection(connection, sources);
  // 8 retries rather than the Azure default of 3: at a 10% failure rate (429/503 with Retry-After, dropped
  // connections) a call then fails for good about once in 10^9 instead of once in 10^4, so an up of a few
  // hundred objects practically never stops half-way. Retry-After still sets each wait.
  const options = {
    userAgentPrefix: "pulumi-jobrouter-provider",
    retryOptions: { maxRetries: 8 },
    onRetry: retryReporter,
    connectionHint: connectionHint(resolved.via, resolved.auth),
    // Every request bounded (requestTimeout.ts), and ended at once when the run is cancelled (cancellation.ts).
    timeoutInMs: resolveRequestTimeout(sources),
    timeoutHint: TIMEOUT_HINT,
    abortSignal: cancelSignal(),
  };
  if (resolved.auth === "accessKey") {
    return {
      client: new JobRouterClient(resolved.endpoint, new AzureKeyCredential(resolved.accessKey), options),
      resolved,
    };
  }
  // Loaded only on this route: @azure/identity is large and most stacks use access keys.
  const identity: typeof import("@azure/identity") = require("@azure/identity");
  const credential: TokenCredential = new identity.DefaultAzureCredential();
  return { client: new JobRouterClient(resolved.endpoint, credential, options), resolved };
}

// ------------------------------------------------------------------ helpers

function describe(collection: AdminCollection, id: string): string {
  return `${KINDS[collection].noun} "${id}"`;
}

function idOf(collection: AdminCollection, bag: JsonObject, fallback?: string): string {
  const v = bag[KINDS[collection].idKey];
  if (typeof v === "string" && v !== "") return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`jobrouter: ${KINDS[collection].idKey} is missing`);
}

/**
 * The canonical spec of what the service returned, with credentials reconciled against what we know, in the
 * service's order (which is the program's: that is the order sent).
 */
function liveSpec(collection: AdminCollection, value: unknown, id: string, known: JsonObject): JsonObject {
  const spec = canonicalSpec(collection, value, id, { keepOrder: true });
  const reconciled = reconcileCredentials(spec, known);
  return canonicalSpec(collection, reconciled, id, { keepOrder: true });
}

/** Whether the resource of these outputs adopted its object; undefined for state written before this was kept. */
function adoptedOf(bag: JsonObject): boolean | undefined {
  const v = bag[ADOPTED_KEY];
  return typeof v === "boolean" ? v : undefined;
}

/**
 * Outputs: the canonical spec under the same keys as the inputs (so the engine's diffs compare like with
 * like), the connection input (delete and refresh need it), the ETag for the next If-Match, and what a delete
 * decides by: whether the object was adopted and `leaveOnDelete`. They travel with the stack's state, so any
 * machine's delete honours them. `adoptExisting` is not kept: it only matters at create.
 */
function outputsFor(
  collection: AdminCollection,
  id: string,
  spec: JsonObject,
  bag: JsonObject,
  etag: string | undefined,
  adopted: boolean | undefined,
): JsonObject {
  const out: JsonObject = { [KINDS[collection].idKey]: id, ...spec };
  if (bag[CONNECTION_KEY] !== undefined && bag[CONNECTION_KEY] !== null) out[CONNECTION_KEY] = bag[CONNECTION_KEY];
  if (typeof bag[CONNECTED_TO_KEY] === "string") out[CONNECTED_TO_KEY] = bag[CONNECTED_TO_KEY];
  if (adopted !== undefined) out[ADOPTED_KEY] = adopted;
  if (typeof bag[LEAVE_KEY] === "boolean") out[LEAVE_KEY] = bag[LEAVE_KEY];
  // Kept so that delete knows whom it deletes for (ownership.ts); never sent to the service.
  const owner = ownerOf(bag);
  if (owner !== undefined) out[bookkeepingKey(bag, OWNER_KEY) ?? OWNER_KEY] = owner;
  if (etag !== undefined && etag !== "") out[ETAG_KEY] = etag;
  return out;
}

/**
 * The body sent: the spec of `inputs` in the program's order (so what the service returns indexes like the
 * program), plus stable action ids (the service would otherwise generate new ones each time).
 */
function sendable(collection: AdminCollection, inputs: JsonObject, id: string): JsonObject {
  return withDerivedActionIds(
    collection,
    canonicalSpec(collection, serviceBody(collection, inputs), id, { keepOrder: true }),
  );
}

function wrap(op: string, collection: AdminCollection, id: string, e: unknown): Error {
  if (isCancelled()) return cancelledError(`${op} ${describe(collection, id)}`);
  const msg = e instanceof Error ? e.message : String(e);
  return stackless(`jobrouter: ${op} ${describe(collection, id)} failed: ${msg}`);
}

function preconditionFailed(collection: AdminCollection, id: string, etag: string): Error {
  return new Error(
    `jobrouter: ${describe(collection, id)} was changed or deleted outside Pulumi since this stack last saw it ` +
      `(the service answered 412 Precondition Failed to If-Match ${etag}). ` +
      "Run `pulumi refresh` to load its current state (the next preview then shows exactly what drifted), then `pulumi up` again.",
  );
}

/**
 * Explains the service's refusal to delete something that is still in use, naming the objects in the way
 * (listed from the service) when it can.
 */
export async function deleteRefusal(
  client: JobRouterClient,
  collection: AdminCollection,
  id: string,
  e: JobRouterError,
): Promise<Error> {
  const dependents = await findDependents(client, collection, id);
  if (dependents.length > 0) {
    return stackless(
      `jobrouter: cannot delete ${describe(collection, id)}: the service refused (${e.statusCode ?? "?"} ${e.code}) ` +
        `because these still use it: ${describeDependents(dependents)}. ` +
        "If they are in this Pulumi program, make them reference this resource's outputs (for example " +
        "`distributionPolicyId: policy.id`) so Pulumi deletes or repoints them first.",
    );
  }
  return deleteRefusalReasons(collection, id, e);
}

function deleteRefusalReasons(collection: AdminCollection, id: string, e: JobRouterError): Error {
  const codes = e.allCodes();
  const reasons: string[] = [];
  if (codes.includes("QueueExistsWithDistributionPolicy")) reasons.push("a queue still uses this distribution policy");
  if (codes.includes("QueueExistsWithExceptionPolicy")) reasons.push("a queue still uses this exception policy");
  if (codes.includes("ActiveJobWithClassificationPolicyExist")) {
    reasons.push("a job that is still active uses this classification policy (cancel, complete or close it first)");
  }
  const text = e.message;
  if (/fallback queue/i.test(text)) reasons.push("a classification policy uses this queue as its fallbackQueueId");
  if (/active job/i.test(text) && collection === "queues")
    reasons.push("a job that is still active is in this queue (cancel or finish it first)");
  if (/assigned worker/i.test(text)) reasons.push("a worker still lists this queue in its queues");
  const why = reasons.length > 0 ? reasons.join("; ") : text;
  return stackless(
    `jobrouter: cannot delete ${describe(collection, id)}: the service refused (${e.statusCode ?? "?"} ${e.code}): ${why}. ` +
      "Remove or repoint what still uses it first. Pulumi deletes dependents first only when they reference this " +
      "resource's outputs (for example `distributionPolicyId: policy.id`), so prefer that over literal ids.",
  );
}

// ------------------------------------------------------------------ the create journal (journal.ts)

/** Journal directories already pruned by this process: pruning once per provider host is plenty. */
const prunedJournals = new Set<string>();

async function pruneOnce(dir: string): Promise<void> {
  if (prunedJournals.has(dir)) return;
  prunedJournals.add(dir);
  try {
    await pruneJournal(dir);
  } catch {
    // Best effort: an unreadable journal only means old entries stay until the next try.
  }
}

/** The error for a journal this process cannot use: it names the directory and how to choose another. */
function journalUnwritable(dir: string, what: string, e: unknown): Error {
  const why = isObject(e) && typeof e["code"] === "string" ? e["code"] : String(e);
  return new Error(
    `jobrouter: cannot create ${what}: the create journal at ${dir} is not writable (${why}). The journal lets a ` +
      `later \`pulumi up\` recognise this create if the run is interrupted; set PULUMI_JOBROUTER_JOURNAL_DIR to a ` +
      "writable directory that persists between runs.",
  );
}

/** The journal's salt; a journal that cannot hold one fails the create before anything is sent. */
async function saltFor(dir: string, what: string): Promise<Buffer> {
  try {
    return await journalSalt(dir);
  } catch (e) {
    throw journalUnwritable(dir, what, e);
  }
}

/** Records, before the create's write, that this resource is about to create the object with this spec. */
async function journalCreate(dir: string, key: string, owner: string, hash: string, what: string): Promise<void> {
  try {
    await recordCreate(dir, key, owner, hash);
  } catch (e) {
    throw journalUnwritable(dir, what, e);
  }
  void pruneOnce(dir);
}

/** Records, before an adoption returns, that this resource took the object over (see ownership.ts). */
async function journalHandOver(dir: string, key: string, owner: string, what: string): Promise<void> {
  try {
    await recordOwner(dir, key, owner);
  } catch (e) {
    throw journalUnwritable(dir, what, e);
  }
}

/**
 * The engine has recorded this resource (it is diffing, reading or updating it): its create entry, if still
 * "creating", stops vouching. Best effort: a failure here only leaves an entry that vouches for this same
 * resource, which expires after 24 h.
 */
async function settle(collection: AdminCollection, id: string, bag: JsonObject): Promise<void> {
  const owner = ownerOf(bag);
  if (owner === undefined) return;
  try {
    const endpoint = resolveConnection(bag[CONNECTION_KEY], hostSources).endpoint;
    await settleEntry(defaultJournalDir(), journalKey(endpoint, collection, id), owner);
  } catch {
    // see above
  }
}

// ------------------------------------------------------------------ provider methods

export async function check(collection: AdminCollection, olds: JsonObject, news: JsonObject): Promise<CheckOutcome> {
  const outcome = checkInputs(collection, news, hostSources, olds);
  // Input the service accepts but that will probably not do what was meant (a PowerFx function the emulator
  // cannot evaluate): said once, without failing the check.
  const id = news[KINDS[collection].idKey];
  const who = typeof id === "string" ? describe(collection, id) : KINDS[collection].noun;
  for (const w of outcome.warnings ?? []) await hostLog("warning", `jobrouter: ${who}: ${w}`);
  return outcome;
}

export async function diff(
  collection: AdminCollection,
  id: string,
  olds: JsonObject,
  news: JsonObject,
): Promise<DiffOutcome> {
  await settle(collection, id, olds);
  return diffInputs(collection, id, olds, news);
}

export async function create(
  collection: AdminCollection,
  inputs: JsonObject,
): Promise<{ id: string; outs: JsonObject }> {
  const id = idOf(collection, inputs);
  const desired = canonicalSpec(collection, serviceBody(collection, inputs), id);
  const owner = ownerOf(inputs);
  const client = clientFor(inputs[CONNECTION_KEY]);
  const journalDir = defaultJournalDir();
  const key = journalKey(client.endpoint, collection, id);
  const what = describe(collection, id);
  const hash = specHash(desired, await saltFor(journalDir, what));
  try {
    // PATCH is an upsert: without this read, "create" would silently take over an existing object.
    // (A second writer between this GET and the PATCH below is not detected: the service has no
    // If-None-Match. The window is one round trip.)
    const existing = await client.tryGet(collection, id);
    if (existing === undefined) {
      // Journaled before the write: if this process dies once the PATCH is sent, the object may exist unrecorded.
      // A caller without an owner input (only direct callers of this module) journals as nobody: never vouched.
      await journalCreate(journalDir, key, owner ?? NOBODY, hash, what);
      const result = await client.upsert(collection, id, sendable(collection, inputs, id));
      return {
        id,
        outs: outputsFor(collection, id, liveSpec(collection, result.value, id, desired), inputs, result.etag, false),
      };
    }
    // Taken: ours (an interrupted create of this very resource), an adoption, or refused (ownership.ts).
    const record = await readEntry(journalDir, key).catch(() => undefined);
    const live = liveSpec(collection, existing, id, desired);
    const decision = decideExisting({
      what,
      idKey: KINDS[collection].idKey,
      endpoint: client.endpoint,
      owner,
      mode: adoptMode(inputs[ADOPT_KEY]),
      record,
      vouched: vouchesFor(record, key, owner, hash, new Date()),
      // Compared in the sorted canonical form: `live` keeps the service's order (for the outputs).
      live: canonicalSpec(collection, live, id),
      declared: desired,
      // Credentials are sent whenever the program has any: the service may not echo them, so equality
      // of what it returns says nothing about them.
      hasCredential: containsCredential(desired),
      component: componentOfOrigin(inputs[ORIGIN_KEY]),
    });
    if (decision.kind === "refuse") {
      const origin = inputs[bookkeepingKey(inputs, ORIGIN_KEY) ?? ORIGIN_KEY];
      throw new Error(
        typeof origin === "string" ? refusalInComponentTerms(origin, decision.message) : decision.message,
      );
    }
    // The hand-over is recorded before any write: when the old owner's delete follows, it must leave the object.
    if (decision.handOver && owner !== undefined) await journalHandOver(journalDir, key, owner, what);
    // An adoption (not the recovery of this resource's own interrupted create): said once, with what a delete does.
    const adopted = !decision.recovered;
    if (adopted) await hostLog("warning", adoptedMessage(what, owner, inputs[LEAVE_KEY], decision.write));
    if (!decision.write) return { id, outs: outputsFor(collection, id, live, inputs, existing.etag, adopted) };
    const current = canonicalSpec(collection, existing, id);
    const result = await client.upsert(collection, id, mergePatchFor(current, sendable(collection, inputs, id)), {
      ifMatch: existing.etag,
    });
    return {
      id,
      outs: outputsFor(collection, id, liveSpec(collection, result.value, id, desired), inputs, result.etag, adopted),
    };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("jobrouter:")) throw e;
    throw wrap("creating", collection, id, e);
  }
}

export async function update(
  collection: AdminCollection,
  id: string,
  olds: JsonObject,
  news: JsonObject,
): Promise<{ outs: JsonObject }> {
  let current = canonicalSpec(collection, serviceBody(collection, olds), id);
  const desired = canonicalSpec(collection, serviceBody(collection, news), id);
  let etag = typeof olds[ETAG_KEY] === "string" ? olds[ETAG_KEY] : undefined;
  await settle(collection, id, olds);
  const { client, resolved } = connect(news[CONNECTION_KEY]);
  // A new connection (endpoint or key): the object is read through it before anything is sent or recorded, and
  // the update goes on from what is there (connectionCheck.ts). A key rotation ends here with that read alone.
  const moved = await readThroughMovedConnection(client, resolved, collection, id, olds, news).catch((e: unknown) => {
    throw e instanceof Error && e.message.startsWith("jobrouter:") ? e : wrap("reading", collection, id, e);
  });
  if (moved !== undefined) {
    current = canonicalSpec(collection, liveSpec(collection, moved, id, current), id);
    etag = moved.etag;
  }
  if (deepEqual(current, desired) && etag !== undefined) {
    // Only our own inputs changed (the connection, adoptExisting, leaveOnDelete): nothing to send.
    return {
      outs: outputsFor(
        collection,
        id,
        moved !== undefined ? liveSpec(collection, moved, id, desired) : current,
        news,
        etag,
        adoptedOf(olds),
      ),
    };
  }
  try {
    const patch = mergePatchFor(current, sendable(collection, news, id));
    const result = await client.upsert(collection, id, patch, etag !== undefined ? { ifMatch: etag } : {});
    return {
      outs: outputsFor(
        collection,
        id,
        liveSpec(collection, result.value, id, desired),
        news,
        result.etag,
        adoptedOf(olds),
      ),
    };
  } catch (e) {
    if (JobRouterError.hasStatus(e, 412)) throw preconditionFailed(collection, id, etag ?? "");
    throw wrap("updating", collection, id, e);
  }
}

/** How a read was asked for: `imported` for `pulumi import` (the native provider's only; see importedMessage). */
export interface ReadOptions {
  imported?: boolean;
}

export async function read(
  collection: AdminCollection,
  id: string,
  props: JsonObject,
  options: ReadOptions = {},
): Promise<{ id: string; props?: JsonObject; inputs?: JsonObject }> {
  const { client, resolved } = connect(props[CONNECTION_KEY]);
  await settle(collection, id, props);
  let value;
  try {
    value = await client.tryGet(collection, id);
  } catch (e) {
    throw (
      credentialRefusal(
        e,
        `cannot refresh ${describe(collection, id)}`,
        resolved,
        "Nothing was dropped from the state.",
        refreshFix(resolved),
      ) ?? wrap("reading", collection, id, e)
    );
  }
  if (value === undefined) {
    // Deleted outside Pulumi: an empty id tells the engine to drop the resource from state. Only when the 404
    // comes through the recorded connection from a namespace that answers as a Job Router (connectionCheck.ts).
    const refusal = await whyNotDrop(client, resolved, collection, id, props).catch((e: unknown) => {
      throw wrap("reading", collection, id, e);
    });
    if (refusal !== undefined) throw refusal;
    return { id: "" };
  }
  const known = canonicalSpec(collection, serviceBody(collection, props), id);
  const spec = liveSpec(collection, value, id, known);
  // Found through this connection: it becomes the recorded one.
  const seen = { ...props, [CONNECTED_TO_KEY]: connectionIdentity(resolved) };
  // An imported object is managed like one this resource created (`adopted: false`, recorded so that every
  // machine's delete decides alike): Pulumi's own rule for `pulumi import`. The import says so once.
  const adopted = options.imported === true ? false : adoptedOf(props);
  if (options.imported === true) await hostLog("warning", importedMessage(describe(collection, id), ownerOf(props)));
  const outs = outputsFor(collection, id, spec, seen, value.etag, adopted);
  // Nothing drifted: no inputs, so the engine keeps the program's (with the defaults it wrote, see check), and a
  // later change of one still shows as a change (`~ maxConcurrentOffers: 1 => 2`).
  if (deepEqual(canonicalSpec(collection, spec, id), known)) return { id, props: outs };
  // The inputs of the next diff become the live configuration, so the preview after a refresh that found
  // drift shows exactly the drifted fields.
  const inputs = outputsFor(collection, id, spec, seen, undefined, undefined);
  return { id, props: outs, inputs };
}

export async function remove(collection: AdminCollection, id: string, props: JsonObject): Promise<void> {
  quietHostErrors();
  const client = clientFor(props[CONNECTION_KEY]);
  const journalDir = defaultJournalDir();
  const key = journalKey(client.endpoint, collection, id);
  const owner = ownerOf(props);
  // The state decides first, so every machine decides alike: an adopted object, or `leaveOnDelete: true`.
  const leave = leavesOnDelete(props[LEAVE_KEY], adoptedOf(props));
  if (leave !== undefined) {
    await hostLog("warning", leftByChoiceMessage(describe(collection, id), owner, leave));
    return;
  }
  const record = await readEntry(journalDir, key).catch(() => undefined);
  if (handedOver(record, owner) && record !== undefined) {
    // Another resource adopted the object (a rename, or a move): deleting this one must not delete it. The
    // delete succeeds, so the resource leaves this stack's state; the engine shows a provider's stderr.
    console.error(leftInPlaceMessage(describe(collection, id), record));
    return;
  }
  try {
    // Already gone is success: the goal of a delete is reached.
    await client.delete(collection, id, { ignoreNotFound: true });
  } catch (e) {
    if (e instanceof JobRouterError && (e.statusCode === 400 || e.statusCode === 409))
      throw await deleteRefusal(client, collection, id, e);
    throw wrap("deleting", collection, id, e);
  }
  // The object is gone: its journal entry must not vouch for a later object with the same id and spec.
  // Best effort: the delete itself succeeded, and an entry expires after 24 h anyway.
  await removeEntry(journalDir, key).catch(() => undefined);
}
