// Finds the Job Router rules that call out to other services (webhook and function rules)
// anywhere in a property bag, with their endpoints and credentials.

import { Secret } from "@pulumi/policy";
import { isUnknown, keys, unwrap } from "./common";

/** The URI fields of each outbound rule kind (models.ts: WebhookRouterRule, FunctionRouterRule). */
const URI_FIELDS = {
  webhook: ["webhookUri", "authorizationServerUri"],
  function: ["functionUri"],
} as const;

/** Where each outbound rule kind keeps its secrets. */
const CREDENTIAL_FIELDS = {
  webhook: [["clientCredential", "clientSecret"]],
  function: [
    ["credential", "functionKey"],
    ["credential", "appKey"],
  ],
} as const;

export type OutboundKind = keyof typeof URI_FIELDS;

export interface RuleUri {
  path: string;
  /** undefined when absent; "unknown" while the value is computed during preview. */
  value: string | "unknown" | undefined;
}

export interface RuleCredential {
  path: string;
  /** True when the value, or any object around it, arrived marked secret. Only the remediation view can see this. */
  secret: boolean;
  unknown: boolean;
}

export interface OutboundRule {
  path: string;
  kind: OutboundKind;
  uris: RuleUri[];
  credentials: RuleCredential[];
}

/**
 * Top-level fields that never hold rules (internal, connection settings, adoption flags, leaveOnDelete, owner,
 * component origin).
 */
const SKIPPED_TOP_LEVEL = new Set([
  "__provider",
  "connection",
  "adoptExisting",
  "adopted",
  "leaveOnDelete",
  "owner",
  "componentOrigin",
  "events",
  "communication",
]);

interface Node {
  value: unknown;
  secret: boolean;
}

/** Reads a child of a raw node, descending through `Secret` wrappers and SDK proxies. */
function child(node: Node, key: string): Node {
  const o = unwrap(node.value);
  if (typeof o !== "object" || o === null) return { value: undefined, secret: node.secret };
  const d = Object.getOwnPropertyDescriptor(o, key);
  return open({ value: d && "value" in d ? d.value : undefined, secret: node.secret });
}

function open(node: Node): Node {
  let cur = node;
  // Secrets may nest (a secret object holding a secret field): open each layer.
  for (let v = unwrap(cur.value); v instanceof Secret; v = unwrap(cur.value)) {
    cur = { value: v.value, secret: true };
  }
  return { value: unwrap(cur.value), secret: cur.secret };
}

function joinPath(base: string, key: string): string {
  return /^\d+$/.test(key) ? `${base}[${key}]` : base ? `${base}.${key}` : key;
}

/**
 * Every webhook or function rule in `props`, wherever it sits (prioritization rule, selector
 * attachments, conditions, scoring rule, or the same nested inside a ContactCenter's maps).
 * Works on the plain view the SDK gives `validateResource` and on the secret-preserving view it
 * gives `remediateResource`.
 */
export function findOutboundRules(props: unknown): OutboundRule[] {
  const found: OutboundRule[] = [];
  const visit = (node: Node, path: string, depth: number): void => {
    if (depth > 32) return;
    const v = node.value;
    if (typeof v !== "object" || v === null) return;
    const kindNode = child(node, "kind");
    const kind = kindNode.value;
    if (!Array.isArray(v) && (kind === "webhook" || kind === "function")) {
      found.push(describe(node, path, kind));
      return;
    }
    for (const k of keys(v)) {
      if (depth === 0 && SKIPPED_TOP_LEVEL.has(k)) continue;
      visit(child(node, k), joinPath(path, k), depth + 1);
    }
  };
  visit(open({ value: props, secret: false }), "", 0);
  return found;
}

function describe(node: Node, path: string, kind: OutboundKind): OutboundRule {
  const uris: RuleUri[] = URI_FIELDS[kind].map((f) => {
    const c = child(node, f);
    const value = typeof c.value === "string" ? (isUnknown(c.value) ? "unknown" : c.value) : undefined;
    return { path: joinPath(path, f), value };
  });
  const credentials: RuleCredential[] = [];
  for (const [outer, inner] of CREDENTIAL_FIELDS[kind]) {
    const c = child(child(node, outer), inner);
    if (c.value === undefined || c.value === null || c.value === "") continue;
    credentials.push({ path: joinPath(joinPath(path, outer), inner), secret: c.secret, unknown: isUnknown(c.value) });
  }
  return { path, kind, uris, credentials };
}
