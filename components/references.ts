// Reference resolution and ordering for the ContactCenter's routing objects.
//
// Pure functions with no Pulumi resources: the component calls them at construction time, so a bad
// reference fails `pulumi preview` before anything is registered, and the unit tests exercise them directly.
//
// Reference syntax (documented in README.md ("ContactCenter")):
//   "sales"            a key of the relevant map in the same ContactCenter (creates a dependency)
//   { key: "sales" }   the same, spelled out
//   { id: "ext-id" }   a Job Router id of an object managed elsewhere (no dependency, not validated here)

import * as pulumi from "@pulumi/pulumi";

/** The four routing-object maps of a ContactCenter, in the order they are listed in errors. */
export type RoutingCollection = "distributionPolicies" | "exceptionPolicies" | "classificationPolicies" | "queues";
export const ROUTING_COLLECTIONS: readonly RoutingCollection[] = [
  "distributionPolicies",
  "exceptionPolicies",
  "classificationPolicies",
  "queues",
];

/** Human name of one object of each collection, for error messages. */
const SINGULAR: Record<RoutingCollection, string> = {
  distributionPolicies: "distribution policy",
  exceptionPolicies: "exception policy",
  classificationPolicies: "classification policy",
  queues: "queue",
};

/** A reference as the user wrote it. `E` is the type of an external id (a plain or Pulumi input string). */
export type ObjectRef<E = string> = string | { readonly key: string } | { readonly id: E };

/** A reference after resolution: either another object of this component, or an external Job Router id. */
export type ResolvedRef<E = string> =
  | { readonly kind: "key"; readonly collection: RoutingCollection; readonly key: string; readonly id: string }
  | { readonly kind: "external"; readonly id: E };

/** One edge of the dependency graph: `from` needs `to` to exist first. `path` is the field that says so. */
export interface ReferenceEdge {
  readonly from: NodeName;
  readonly to: NodeName;
  readonly path: string;
}

/** `collection.key`, e.g. `queues.sales`. */
export type NodeName = `${RoutingCollection}.${string}`;

export function nodeName(collection: RoutingCollection, key: string): NodeName {
  return `${collection}.${key}`;
}

/**
 * An error in a ContactCenter's declaration; the message names the component, the field path and the rule.
 * A Pulumi RunError: the program host prints its message alone, without the stack trace it prints for a crash
 * (the mistake is in the declaration, not in this package's code).
 */
export class ContactCenterValidationError extends pulumi.RunError {
  constructor(
    readonly component: string,
    readonly path: string,
    rule: string,
  ) {
    super(`ContactCenter "${component}": ${path}: ${rule}`);
    this.name = "ContactCenterValidationError";
  }
}

/** Keys become Pulumi resource names and default Job Router ids: keep them to a conservative alphabet. */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Job Router ids are URL path segments: forbid characters that would change the path. */
const ID_FORBIDDEN = /[/?#%\\\s]/;

/** What the resolver needs to know about every declared object. */
export interface DeclaredObject {
  readonly collection: RoutingCollection;
  readonly key: string;
  /** The Job Router id (explicit or defaulted). */
  readonly id: string;
}

/** Checks keys and ids of all declared objects: key syntax, id syntax, and no two objects of a collection sharing an id. */
export function checkDeclarations(component: string, objects: readonly DeclaredObject[]): void {
  const seen = new Map<string, string>();
  for (const o of objects) {
    const where = `${o.collection}.${o.key}`;
    if (!KEY_PATTERN.test(o.key)) {
      throw new ContactCenterValidationError(
        component,
        where,
        `key "${o.key}" must be 1-64 characters of letters, digits, '_', '.', '-' and start with a letter or digit`,
      );
    }
    if (o.id.length === 0 || ID_FORBIDDEN.test(o.id)) {
      throw new ContactCenterValidationError(
        component,
        `${where}.id`,
        `Job Router id "${o.id}" must be non-empty and contain no '/', '?', '#', '%', '\\' or whitespace`,
      );
    }
    const slot = `${o.collection}\u0000${o.id}`;
    const other = seen.get(slot);
    if (other !== undefined) {
      throw new ContactCenterValidationError(
        component,
        `${where}.id`,
        `duplicate Job Router id "${o.id}": ${o.collection}.${other} already uses it (ids must be unique within ${o.collection})`,
      );
    }
    seen.set(slot, o.key);
  }
}

/**
 * Resolves one reference found at `path` (e.g. `queues.sales.distributionPolicy`) that must point into `target`.
 * `known` maps each key of `target` to its Job Router id.
 */
export function resolveRef<E>(
  component: string,
  path: string,
  ref: ObjectRef<E> | undefined | null,
  target: RoutingCollection,
  known: ReadonlyMap<string, string>,
): ResolvedRef<E> | undefined {
  if (ref === undefined || ref === null) return undefined;
  let key: string;
  if (typeof ref === "string") {
    key = ref;
  } else if (typeof ref === "object") {
    const hasKey = "key" in ref;
    const hasId = "id" in ref;
    if (hasKey === hasId) {
      throw new ContactCenterValidationError(
        component,
        path,
        `a reference is a key string, { key: "<key>" } or { id: "<Job Router id>" }; got an object with ${
          hasKey ? "both key and id" : "neither key nor id"
        }`,
      );
    }
    if (hasId) {
      const id = (ref as { readonly id: E }).id;
      if (id === undefined || id === null || (typeof id === "string" && (id.length === 0 || ID_FORBIDDEN.test(id)))) {
        throw new ContactCenterValidationError(
          component,
          `${path}.id`,
          `external Job Router id must be a non-empty id`,
        );
      }
      return { kind: "external", id };
    }
    const k = (ref as { readonly key: unknown }).key;
    if (typeof k !== "string") {
      throw new ContactCenterValidationError(component, `${path}.key`, `must be a string`);
    }
    key = k;
  } else {
    throw new ContactCenterValidationError(
      component,
      path,
      `a reference is a key string, { key: "<key>" } or { id: "<Job Router id>" }; got ${typeof ref}`,
    );
  }
  const id = known.get(key);
  if (id === undefined) {
    const list = [...known.keys()];
    throw new ContactCenterValidationError(
      component,
      path,
      `unknown ${SINGULAR[target]} key "${key}" (declared ${target} keys: ${
        list.length ? list.map((k2) => `"${k2}"`).join(", ") : "none"
      }); to point at an object managed elsewhere write { id: "<Job Router id>" }`,
    );
  }
  return { kind: "key", collection: target, key, id };
}

/**
 * Orders all nodes so that every node comes after the nodes it references (creation order; Pulumi deletes in the
 * reverse). Throws on a cycle, naming every object and field on it.
 */
export function orderNodes(component: string, nodes: readonly NodeName[], edges: readonly ReferenceEdge[]): NodeName[] {
  const out = new Map<NodeName, ReferenceEdge[]>();
  for (const n of nodes) out.set(n, []);
  for (const e of edges) out.get(e.from)?.push(e);

  const state = new Map<NodeName, "visiting" | "done">();
  const order: NodeName[] = [];
  // The edges taken from the root to the node being visited: on a back edge, the cycle is its tail.
  const trail: ReferenceEdge[] = [];

  const visit = (n: NodeName): void => {
    const s = state.get(n);
    if (s === "done") return;
    state.set(n, "visiting");
    for (const e of out.get(n) ?? []) {
      const t = state.get(e.to);
      if (t === "visiting") {
        const start = trail.findIndex((x) => x.from === e.to);
        const cycle = [...(start >= 0 ? trail.slice(start) : []), e];
        const description = cycle.map((x) => `${x.path} -> ${x.to}`).join(", ");
        throw new ContactCenterValidationError(
          component,
          e.to,
          `reference cycle: ${description}; Pulumi cannot order these creates and deletes. Break the cycle by ` +
            `referring to one of these objects by { id: "<Job Router id>" } instead of its key`,
        );
      }
      if (t === undefined) {
        trail.push(e);
        visit(e.to);
        trail.pop();
      }
    }
    state.set(n, "done");
    order.push(n);
  };
  for (const n of nodes) visit(n);
  return order;
}
