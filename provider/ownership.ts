// Ownership: which resource of which stack manages a Job Router object, and what a create may do with an
// object that already exists.
//
// Providers never see their resource's URN, so the resource classes pass it in as the `owner` input:
// `<project>/<stack>/<type>/<name>` (ownerFor). It is kept only from the create on (check copies it from the
// old inputs afterwards), so a rename with `aliases` is no change, and it is never sent to the service.
//
// The rules, for a create that finds its id taken (the engine runs creates before the deletes of removed
// resources, so a rename without aliases is "create the new name, then delete the old one"):
//  1. the create journal vouches that this very resource (same owner) started this very create: take it;
//  2. without `adoptExisting`: refuse, naming who manages it when this machine knows (a rename: the old name and
//     the `aliases` fix; another stack: its name and "use your own ids");
//  3. a second stack of the same project never takes another stack's object, whatever `adoptExisting` says;
//  4. `adoptExisting: true` takes the object only when its live spec equals the declared one (no write),
//     otherwise refuses with the differing fields; `adoptExisting: "overwrite"` takes it and writes the program's
//     spec. An adoption records a hand-over, so the delete of the previous owner (a renamed resource) leaves the
//     object in place when it runs on the same machine (in practice: in the same deployment).
//
// Rules 1–3 and the names in messages come from this machine's journal; on a fresh CI runner there is none, and
// the refusal lists every cause with a fix that works there. What a delete does comes from the resource's state,
// which every machine sees: an adopted object (output `adopted`) is left in place unless `leaveOnDelete: false`, and
// `leaveOnDelete: true` leaves any object. The service cannot hold an ownership mark on three of the four kinds, so
// an adoption also warns that the previous manager must set `leaveOnDelete: true` before it is removed.

import { CREDENTIAL_KEYS } from "./credentials";
import { deepEqual, isObject, type JsonObject } from "./json";
import type { JournalEntry } from "./journal";
import { OWNER_KEY, bookkeepingKey } from "./kinds";

export type AdoptMode = "none" | "identical" | "overwrite";

/** The spelling of "take it over and write this program's spec". */
export const OVERWRITE = "overwrite";

/** `adoptExisting` as the provider sees it; anything check would reject counts as "none". */
export function adoptMode(value: unknown): AdoptMode {
  if (value === true) return "identical";
  if (value === OVERWRITE) return "overwrite";
  return "none";
}

/** Whether check accepts the value (unknown values are checked later, at create). */
export function isAdoptValue(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "boolean" || value === OVERWRITE;
}

export interface Owner {
  project: string;
  stack: string;
  type: string;
  name: string;
}

/** The owner input of a resource: project and stack names cannot hold "/", so only the name may. */
export function ownerFor(project: string, stack: string, type: string, name: string): string {
  return `${project}/${stack}/${type}/${name}`;
}

export function parseOwner(owner: string | undefined): Owner | undefined {
  if (owner === undefined) return undefined;
  const m = /^([^/]+)\/([^/]+)\/([^/]+)\/(.+)$/s.exec(owner);
  if (m === null) return undefined;
  return { project: m[1] ?? "", stack: m[2] ?? "", type: m[3] ?? "", name: m[4] ?? "" };
}

/** The owner input of an input or output bag, when there is one (state written before owners has none). */
export function ownerOf(bag: JsonObject): string | undefined {
  const v = bag[bookkeepingKey(bag, OWNER_KEY) ?? OWNER_KEY];
  return typeof v === "string" && v !== "" ? v : undefined;
}

// ------------------------------------------------------------------ comparing specs

const ABSENT = "(absent)";
const MAX_VALUE_CHARS = 200;

function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = CREDENTIAL_KEYS.includes(k) && v !== undefined && v !== null && v !== "" ? "[secret]" : masked(v);
  }
  return out;
}

function show(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = JSON.stringify(masked(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/**
 * The differences between two canonical specs, one line per leaf: `path: live → declared`. Objects are compared
 * member by member, arrays element by element; credentials show as "[secret]".
 */
export function specDifferences(live: unknown, declared: unknown, at = ""): string[] {
  if (deepEqual(live, declared)) return [];
  if (isObject(live) && isObject(declared)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(declared)])].sort();
    return keys.flatMap((k) => specDifferences(live[k], declared[k], childPath(at, k)));
  }
  if (Array.isArray(live) && Array.isArray(declared)) {
    const n = Math.max(live.length, declared.length);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(...specDifferences(live[i], declared[i], childPath(at, i)));
    return out;
  }
  const key = at.split(/[.[]/).pop() ?? "";
  if (CREDENTIAL_KEYS.includes(key)) return [`${at}: [secret] → [secret]`];
  return [`${at === "" ? "(whole spec)" : at}: ${show(live)} → ${show(declared)}`];
}

// ------------------------------------------------------------------ the decision

export interface ExistingObject {
  /** e.g. `queue "q-vip"` */
  what: string;
  /** e.g. `queueId` */
  idKey: string;
  endpoint: string;
  /** The creating resource's owner input (undefined only for callers that do not set one). */
  owner: string | undefined;
  mode: AdoptMode;
  /** This machine's journal entry or ownership record for the object, if any. */
  record: JournalEntry | undefined;
  /** The record vouches that this resource started this create (an interrupted create). */
  vouched: boolean;
  /** Live and declared canonical specs (credentials in `live` reconciled against `declared`). */
  live: JsonObject;
  declared: JsonObject;
  /** The declared spec holds a credential: the service does not echo those, so equality cannot be seen. */
  hasCredential: boolean;
  /** The ContactCenter that declares this object, when one does (from `componentOrigin`). */
  component?: string;
}

export type CreateDecision =
  | { kind: "refuse"; message: string }
  /**
   * Take the object: `write` says whether to PATCH the declared spec, `handOver` whether to record a hand-over,
   * `recovered` whether it is this resource's own interrupted create (vouched by the journal) rather than an adoption.
   */
  | { kind: "adopt"; write: boolean; handOver: boolean; recovered: boolean };

function resourceLabel(owner: string | undefined): string {
  const o = parseOwner(owner);
  return o === undefined ? "this resource" : `${o.type} "${o.name}"`;
}

function stackLabel(o: Owner): string {
  return `${o.project}/${o.stack}`;
}

/**
 * When both names are children of one ContactCenter (`<component>-<dp|ep|cp|queue>-<key>`, see
 * components/contactCenter.ts) that differ only in the key: the component, the short collection name and both keys.
 */
export function contactCenterRename(
  oldName: string,
  newName: string,
): { component: string; short: string; oldKey: string; newKey: string } | undefined {
  // The longest shared `<component>-<short>-` prefix wins: component names and keys may hold dashes too.
  let found: { component: string; short: string; oldKey: string; newKey: string } | undefined;
  for (const m of oldName.matchAll(/-(dp|ep|cp|queue)-/g)) {
    const prefix = oldName.slice(0, (m.index ?? 0) + m[0].length);
    if (!newName.startsWith(prefix)) continue;
    const oldKey = oldName.slice(prefix.length);
    const newKey = newName.slice(prefix.length);
    if (oldKey === "" || newKey === "") continue;
    found = { component: oldName.slice(0, m.index ?? 0), short: m[1] ?? "", oldKey, newKey };
  }
  return found;
}

/**
 * When both names are children of a ContactCenter for the same collection and key under different component names
 * (`alpha-queue-vip` → `beta-queue-vip`): the renamed component's old and new names.
 */
export function componentRename(oldName: string, newName: string): { from: string; to: string } | undefined {
  for (const m of newName.matchAll(/-(dp|ep|cp|queue)-/g)) {
    const at = m.index ?? 0;
    const suffix = newName.slice(at);
    if (at === 0 || suffix.length === m[0].length || !oldName.endsWith(suffix)) continue;
    const from = oldName.slice(0, oldName.length - suffix.length);
    const to = newName.slice(0, at);
    if (from !== "" && from !== to) return { from, to };
  }
  return undefined;
}

/** The ContactCenter's name in a `componentOrigin` (`ContactCenter "contoso" queues.sales`). */
export function componentOfOrigin(origin: unknown): string | undefined {
  if (typeof origin !== "string") return undefined;
  return /^ContactCenter "(.*)" [A-Za-z]+\.[^.]*$/s.exec(origin)?.[1];
}

const CC_MAP: Record<string, string> = {
  dp: "distributionPolicies",
  ep: "exceptionPolicies",
  cp: "classificationPolicies",
  queue: "queues",
};

function renameHint(oldName: string, newName: string): string {
  const cc = contactCenterRename(oldName, newName);
  if (cc === undefined) return "";
  return (
    ` If these are children of the ContactCenter "${cc.component}", whose \`${CC_MAP[cc.short] ?? cc.short}\` ` +
    `key changed from "${cc.oldKey}" to "${cc.newKey}": keep the key "${cc.oldKey}", or add ` +
    `\`previousKeys: ["${cc.oldKey}"]\` to the entry "${cc.newKey}" (the component then passes the alias).`
  );
}

const ALIAS_HINT_CC =
  'For a ContactCenter child (named "<component>-<dp|ep|cp|queue>-<key>"), keep the old key in the component\'s map ' +
  "(set `id` to keep the Job Router id), or list the old key in that entry's `previousKeys`; if you renamed the " +
  'ContactCenter itself, add `aliases: [{ name: "<old name>" }]` to the ContactCenter\'s options.';

/** How to move an object from the resource that manages it to this one, on any machine. */
const MOVE_STEPS =
  "set `leaveOnDelete: true` on that resource first (one `pulumi up` there, no write), then `adoptExisting: true` " +
  "here, then remove it there. `adoptExisting` alone is not a move: an adopted object is left in place when its " +
  "resource is deleted, but the other owner's delete (or its stack's destroy) still deletes it";

/** The part of a refusal that says how to find out who manages the object, from any machine. */
function checkHint(x: ExistingObject): string {
  const id = /"([^"]*)"$/.exec(x.what)?.[1] ?? "<id>";
  return (
    "Check before you take it over: in the project of each stack that may manage it, run " +
    `\`pulumi stack export --stack <other stack> | grep '"${x.idKey}": "${id}"'\`.`
  );
}

/** The generic refusal's line about renames: in the component's terms for a ContactCenter child. */
function renamedHint(x: ExistingObject): string {
  if (x.component !== undefined) {
    return (
      `If you renamed the ContactCenter (now "${x.component}"), add \`aliases: [{ name: "<old name>" }]\` to the ` +
      `options of the ContactCenter "${x.component}"; if you renamed this entry's key, list the old key in its ` +
      "`previousKeys`. "
    );
  }
  return (
    'If you renamed a resource, keep it the same resource: add `aliases: [{ name: "<old name>" }]` to its resource ' +
    `options. ${ALIAS_HINT_CC} `
  );
}

/**
 * Why a create of an existing object is refused, when adoption was not asked for. What this machine's journal
 * knows makes the message precise; without it (a fresh CI runner) the message lists every case and its fix.
 */
export function existsMessage(x: ExistingObject): string {
  const head = `jobrouter: cannot create ${x.what}: an object with this id already exists at ${x.endpoint}`;
  const mine = parseOwner(x.owner);
  const theirs = parseOwner(x.record?.owner);
  const otherId = `to create a separate object instead, choose another \`${x.idKey}\``;
  if (mine !== undefined && theirs !== undefined) {
    if (theirs.project === mine.project && theirs.stack !== mine.stack) return secondStackMessage(x, theirs);
    const renamed = componentRename(theirs.name, mine.name);
    if (theirs.project === mine.project && theirs.stack === mine.stack && renamed !== undefined) {
      return (
        `${head}, and ${theirs.type} "${theirs.name}" of this stack manages it (recorded on this machine): the ` +
        `ContactCenter "${renamed.from}" was renamed to "${renamed.to}". Add \`aliases: [{ name: "${renamed.from}" }]\` ` +
        `to the options of the ContactCenter "${renamed.to}": Pulumi then keeps the component and its children as the ` +
        "same resources and changes nothing. (Without the alias Pulumi would create the new children and then delete " +
        `the old ones, and with them these objects.) Or, ${otherId}.`
      );
    }
    if (theirs.project === mine.project && theirs.stack === mine.stack && theirs.name !== mine.name) {
      return (
        `${head}, and ${theirs.type} "${theirs.name}" of this stack manages it (recorded on this machine), not ` +
        `${mine.type} "${mine.name}". ` +
        `If you renamed "${theirs.name}" to "${mine.name}", add \`aliases: [{ name: "${theirs.name}" }]\` to the ` +
        `resource options of "${mine.name}": Pulumi then keeps it as the same resource and changes nothing. ` +
        `(Without the alias Pulumi would create "${mine.name}" and then delete "${theirs.name}", and with it this object.)` +
        `${renameHint(theirs.name, mine.name)} Or, ${otherId}.`
      );
    }
    if (theirs.project === mine.project && theirs.stack === mine.stack && theirs.name === mine.name) {
      return (
        `${head}. This resource created or adopted it earlier on this machine, but the stack's state does not hold ` +
        "it (for example an interrupted `pulumi up` whose configuration has changed since, or `pulumi state delete`). " +
        "To take it back as this stack's own, set `adoptExisting: true` and `leaveOnDelete: false` (taken only if it " +
        'still matches this program; `adoptExisting: "overwrite"` writes the program over it); ' +
        `${otherId}.`
      );
    }
    return (
      `${head}, and ${theirs.type} "${theirs.name}" of stack ${stackLabel(theirs)} manages it (recorded on this machine). ` +
      `To move it into this stack, ${MOVE_STEPS}; or ${otherId}.`
    );
  }
  return (
    `${head}, and no record of it is on this machine (a CI runner starts without one). It may belong to another ` +
    "stack or project (or to another resource of this stack), or be left by an interrupted `pulumi up` of this " +
    `stack. ${checkHint(x)} ` +
    `If another stack or resource manages it: ${otherId} (for example with the stack name in it); or, to move it ` +
    `here, ${MOVE_STEPS}. ` +
    renamedHint(x) +
    "If an interrupted `pulumi up` of this stack made it (no stack holds it), set `adoptExisting: true` and " +
    "`leaveOnDelete: false` on this resource: it is taken over without a write when it matches the program, and " +
    "deleted with the resource like any object this stack made. " +
    "To take over an object made outside Pulumi, set `adoptExisting: true` (adopts it only if it matches this " +
    'program, and writes nothing) or `adoptExisting: "overwrite"` (adopts it and writes this program\'s ' +
    "configuration); it is left in place when its resource is deleted unless you set `leaveOnDelete: false`. " +
    "(`pulumi import` does not work for dynamic resources.)"
  );
}

/** Another stack of the same project manages the object: never taken over, adoptExisting or not. */
export function secondStackMessage(x: ExistingObject, theirs: Owner): string {
  const me = resourceLabel(x.owner);
  return (
    `jobrouter: cannot create ${x.what} for ${me}: stack "${theirs.stack}" of this project manages it ` +
    `(${theirs.type} "${theirs.name}", recorded on this machine) at ${x.endpoint}. Two stacks must not manage one ` +
    "object (destroying either would delete it for both), so `adoptExisting` does not take it from another stack of " +
    `this project. Give each stack its own ids on a shared endpoint: choose another \`${x.idKey}\` (for example ` +
    "with the stack name in it; for a ContactCenter, an `idPrefix` per stack), or use another endpoint."
  );
}

/** `adoptExisting: true` and the live object differs from the program. */
export function differsMessage(x: ExistingObject, lines: readonly string[]): string {
  return (
    `jobrouter: cannot adopt ${x.what} for ${resourceLabel(x.owner)}: \`adoptExisting: true\` adopts an object only ` +
    "when it already matches this program, and it differs (live → declared):\n" +
    lines.map((l) => `  ${l}`).join("\n") +
    "\nEither change the program to match (then it is adopted without any write), or set " +
    '`adoptExisting: "overwrite"` to adopt it and write this program\'s configuration over it.'
  );
}

/** What a create does with an object that already exists. Pure: the caller reads, writes and throws. */
export function decideExisting(x: ExistingObject): CreateDecision {
  const equal = deepEqual(x.live, x.declared);
  if (x.vouched) return { kind: "adopt", write: !equal || x.hasCredential, handOver: false, recovered: true };
  if (x.mode === "none") return { kind: "refuse", message: existsMessage(x) };
  const mine = parseOwner(x.owner);
  const theirs = parseOwner(x.record?.owner);
  if (mine !== undefined && theirs !== undefined && theirs.project === mine.project && theirs.stack !== mine.stack) {
    return { kind: "refuse", message: secondStackMessage(x, theirs) };
  }
  if (x.mode === "identical") {
    const lines = specDifferences(x.live, x.declared);
    if (lines.length > 0) return { kind: "refuse", message: differsMessage(x, lines) };
    return { kind: "adopt", write: false, handOver: x.owner !== undefined, recovered: false };
  }
  return { kind: "adopt", write: !equal || x.hasCredential, handOver: x.owner !== undefined, recovered: false };
}

/** The owner journaled for a create whose inputs name none (direct callers of the engine): never vouches. */
export const NOBODY = "-/-/-/-";

/**
 * Whether a delete by `owner` must leave the object: this machine records that another resource created or
 * adopted it after this one did (a rename or a move, and the old resource's delete comes last).
 */
export function handedOver(record: JournalEntry | undefined, owner: string | undefined): boolean {
  return record !== undefined && record.owner !== NOBODY && record.owner !== owner;
}

/** What the delete says when it leaves an object another resource took over. */
export function leftInPlaceMessage(what: string, record: JournalEntry): string {
  const newOwner = parseOwner(record.owner);
  const by =
    newOwner === undefined ? record.owner : `${newOwner.type} "${newOwner.name}" of stack ${stackLabel(newOwner)}`;
  return (
    `jobrouter: left ${what} in place: ${by} has taken it over (adoptExisting; recorded on this machine), so ` +
    "this delete of the resource that managed it before only removes that resource from its stack's state."
  );
}

// ------------------------------------------------------------------ leaving an object on delete (state, any machine)

/** Why a delete leaves its object: the program said so, or the resource adopted it and the program did not say. */
export type LeaveReason = "leaveOnDelete" | "adopted";

/**
 * Whether a delete leaves the object, from the resource's state alone: `leaveOnDelete` when set, else true for an
 * adopted object. State written before `adopted` was kept counts as created (deleted, as before).
 */
export function leavesOnDelete(leaveOnDelete: unknown, adopted: boolean | undefined): LeaveReason | undefined {
  if (leaveOnDelete === true) return "leaveOnDelete";
  if (leaveOnDelete === false) return undefined;
  return adopted === true ? "adopted" : undefined;
}

/** The one line a delete prints when it leaves the object. */
export function leftByChoiceMessage(what: string, owner: string | undefined, reason: LeaveReason): string {
  const who = resourceLabel(owner);
  if (reason === "leaveOnDelete") {
    return (
      `jobrouter: left ${what} in place: ${who} has \`leaveOnDelete: true\`, so its delete only removes it from ` +
      "its stack's state."
    );
  }
  return (
    `jobrouter: left ${what} in place: ${who} adopted it (adoptExisting), and adopted objects stay on the service ` +
    "when their resource is deleted; set `leaveOnDelete: false` to let Pulumi delete it."
  );
}

/**
 * The warning `pulumi import` prints (the native provider): an imported object is the stack's like one it created,
 * so a later delete deletes it (Pulumi's rule for imports), unlike an object adopted with `adoptExisting`.
 */
export function importedMessage(what: string, owner: string | undefined): string {
  return (
    `jobrouter: ${resourceLabel(owner)} imported ${what} (pulumi import), without any write. Pulumi manages it like ` +
    "an object it created: deleting this resource (or destroying its stack) deletes the object. To keep it on the " +
    "service, set `leaveOnDelete: true` on the resource or give it the retainOnDelete resource option."
  );
}

/** The warning an adoption prints: what a later delete does, and what the service cannot tell. */
export function adoptedMessage(
  what: string,
  owner: string | undefined,
  leaveOnDelete: unknown,
  wrote: boolean,
): string {
  const how = wrote ? "and wrote this program's configuration over it" : "without any write";
  const onDelete =
    leaveOnDelete === false
      ? "With `leaveOnDelete: false`, deleting this resource deletes the object. "
      : "It stays on the service when this resource is deleted (set `leaveOnDelete: false` to let Pulumi delete it). ";
  return (
    `jobrouter: ${resourceLabel(owner)} adopted ${what} (adoptExisting), ${how}. ${onDelete}` +
    "The service does not record which stack manages an object: if another resource still manages it, set " +
    "`leaveOnDelete: true` on it before removing it, or its delete (or its stack's destroy) deletes the object."
  );
}
