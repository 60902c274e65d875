// What the plugin learns from a resource's URN, which (unlike a dynamic provider) it is given: the project,
// stack and name that make up the owner string, and the kind of object from the type token.

import type { AdminCollection } from "../provider/client/models";
import { KINDS } from "../provider/kinds";
import { ownerFor } from "../provider/ownership";

/** The package name: type tokens are `jobrouter:index:<TypeName>`. */
export const PACKAGE = "jobrouter";

export interface ParsedUrn {
  project: string;
  stack: string;
  /** The resource's own type token (the last of a `parent$child` chain). */
  type: string;
  name: string;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function parseUrn(urn: string): ParsedUrn {
  const parts = urn.split("::");
  const head = parts[0] ?? "";
  const stack = head.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : "";
  const qualified = parts[2] ?? "";
  return {
    stack,
    project: parts[1] ?? "",
    type: qualified.split("$").pop() ?? "",
    // A name may itself contain "::".
    name: parts.slice(3).join("::"),
  };
}

export function tokenOf(collection: AdminCollection): string {
  return `${PACKAGE}:index:${KINDS[collection].typeName}`;
}

const BY_TOKEN: ReadonlyMap<string, AdminCollection> = new Map(
  (Object.keys(KINDS) as AdminCollection[]).map((c) => [tokenOf(c), c]),
);

/** The collection a type token names; a clear error for a token this plugin does not serve. */
export function collectionOf(type: string): AdminCollection {
  const c = BY_TOKEN.get(type);
  if (c === undefined) {
    throw new Error(
      `jobrouter: unknown resource type ${type} (this provider serves ${[...BY_TOKEN.keys()].join(", ")})`,
    );
  }
  return c;
}

/**
 * The owner string of a resource: the same `project/stack/<TypeName>/name` the dynamic classes compute, so a
 * stack moved from the dynamic classes to these types (with aliases) keeps its owners and journal keys.
 */
export function ownerOfUrn(urn: string): { collection: AdminCollection; owner: string; name: string } {
  const u = parseUrn(urn);
  const collection = collectionOf(u.type);
  return { collection, owner: ownerFor(u.project, u.stack, KINDS[collection].typeName, u.name), name: u.name };
}
