// Evaluation of a RouterRule (static, directMap, expression, function, webhook).
//
// Function and webhook rules make HTTP calls only through an injected HttpCaller (the emulator's fetch-based one is
// in emulator/runtime/rules.ts; the simulator's refuses) so tests can run a
// local server (or a fake caller) and the runtime never needs network access it was not given.
// What is sent follows the Job Router docs: the request body is JSON holding the labels of the
// entities involved (`{"job": {...}}` for classification; `{"job", "selectors", "worker"|"workers"}`
// for best-worker scoring) and the response body is the rule's value as JSON.
//
// Secrets (function keys, app keys, client secrets, bearer tokens) never appear in RuleError messages:
// errors name the rule kind and the URI without its query string.

import type { Labels, Primitive, RouterRule } from "../provider/client/models";
import { evaluate, ExpressionError, type ExprScope } from "./expression";

export interface HttpRequest {
  method: "POST";
  url: string;
  headers: Record<string, string>;
  body: string;
}
export interface HttpResponse {
  status: number;
  body: string;
}
export type HttpCaller = (req: HttpRequest) => Promise<HttpResponse>;

export class RuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RuleError";
  }
}

/** OAuth2 access tokens for webhook rules, cached per (authorization server, client id). */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAtMs: number }>();
  get(key: string, nowMs: number): string | undefined {
    const t = this.tokens.get(key);
    return t && t.expiresAtMs > nowMs ? t.token : undefined;
  }
  set(key: string, token: string, expiresAtMs: number): void {
    this.tokens.set(key, { token, expiresAtMs });
  }
}

export interface RuleContext {
  /** Names visible to expression rules (`job`, and `worker` when scoring). */
  scope: ExprScope;
  /** JSON body for function and webhook rules. */
  payload: unknown;
  /** Labels a directMap rule maps (the job's labels). */
  directMapLabels?: Labels;
  http: HttpCaller;
  tokens?: TokenCache;
  now?: () => number;
}

/** A rule value: a primitive, or for directMap / remote rules any JSON (e.g. a selector list). */
export type RuleValue = unknown;

/** Strip the query string (it may carry `code=`) and any userinfo from a URI shown in an error. */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "<invalid uri>";
  }
}

function parseBody(body: string): unknown {
  const trimmed = body.trim();
  if (trimmed.length === 0) return null;
  try {
    return JSON.parse(trimmed);
  } catch {
    // Functions that return plain text (e.g. `OkObjectResult("QueueA")`) answer with an unquoted body.
    return trimmed;
  }
}

async function callRemote(kind: string, http: HttpCaller, req: HttpRequest, shownUri: string): Promise<unknown> {
  let res: HttpResponse;
  try {
    res = await http(req);
  } catch (err) {
    const reason = err instanceof Error ? err.name : "error";
    throw new RuleError(`${kind}RuleCallFailed`, `${kind} rule: the call to ${shownUri} failed (${reason})`);
  }
  if (res.status < 200 || res.status >= 300) {
    throw new RuleError(`${kind}RuleCallFailed`, `${kind} rule: ${shownUri} answered HTTP ${res.status}`);
  }
  return parseBody(res.body);
}

async function webhookToken(
  rule: Extract<RouterRule, { kind: "webhook" }>,
  ctx: RuleContext,
): Promise<string | undefined> {
  if (!rule.authorizationServerUri) return undefined;
  const clientId = rule.clientCredential?.clientId ?? "";
  const key = `${rule.authorizationServerUri}\n${clientId}`;
  const now = ctx.now ? ctx.now() : Date.now();
  const cached = ctx.tokens?.get(key, now);
  if (cached) return cached;
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId });
  if (rule.clientCredential?.clientSecret) form.set("client_secret", rule.clientCredential.clientSecret);
  const shown = redactUri(rule.authorizationServerUri);
  const body = await callRemote(
    "webhook",
    ctx.http,
    {
      method: "POST",
      url: rule.authorizationServerUri,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
    },
    shown,
  );
  const token =
    body !== null && typeof body === "object" && "access_token" in body && typeof body.access_token === "string"
      ? body.access_token
      : undefined;
  if (!token) {
    throw new RuleError(
      "webhookRuleCallFailed",
      `webhook rule: the authorization server ${shown} returned no access_token`,
    );
  }
  const expiresIn =
    typeof body === "object" && body !== null && "expires_in" in body && typeof body.expires_in === "number"
      ? body.expires_in
      : 300;
  // Refresh a little early so a token never expires in flight.
  ctx.tokens?.set(key, token, now + Math.max(0, expiresIn - 30) * 1000);
  return token;
}

export async function evaluateRule(rule: RouterRule, ctx: RuleContext): Promise<RuleValue> {
  switch (rule.kind) {
    case "static":
      return rule.value === undefined ? null : rule.value;
    case "directMap":
      return ctx.directMapLabels ?? {};
    case "expression": {
      if (rule.language !== undefined && rule.language !== "powerFx") {
        throw new RuleError(
          "UnsupportedExpressionLanguage",
          `expression rule: language '${String(rule.language)}' is not supported (only powerFx)`,
        );
      }
      try {
        return evaluate(rule.expression, ctx.scope);
      } catch (err) {
        if (err instanceof ExpressionError) {
          throw new RuleError("ExpressionRuleFailed", `expression rule '${rule.expression}': ${err.message}`);
        }
        throw err;
      }
    }
    case "function": {
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
      let url = rule.functionUri;
      const cred = rule.credential;
      if (cred?.functionKey) {
        headers["x-functions-key"] = cred.functionKey;
      } else if (cred?.appKey) {
        // A host (app) key goes in the query as `code`, with the key's name as `clientId`.
        const u = new URL(url);
        u.searchParams.set("code", cred.appKey);
        if (cred.clientId) u.searchParams.set("clientId", cred.clientId);
        url = u.toString();
      }
      return callRemote(
        "function",
        ctx.http,
        { method: "POST", url, headers, body: JSON.stringify(ctx.payload) },
        redactUri(rule.functionUri),
      );
    }
    case "webhook": {
      if (!rule.webhookUri) throw new RuleError("WebhookRuleInvalid", "webhook rule: webhookUri is required");
      const token = await webhookToken(rule, ctx);
      const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      return callRemote(
        "webhook",
        ctx.http,
        { method: "POST", url: rule.webhookUri, headers, body: JSON.stringify(ctx.payload) },
        redactUri(rule.webhookUri),
      );
    }
    default:
      throw new RuleError("UnknownRuleKind", `rule kind '${(rule as { kind: string }).kind}' is not supported`);
  }
}

/** A rule value used as a priority: a number, or a numeric string; rounded to an integer. */
export function toPriority(v: RuleValue, where: string): number {
  let n: number | undefined;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) n = Number(v);
  if (n === undefined || !Number.isFinite(n)) {
    throw new RuleError("InvalidPriority", `${where}: the rule returned ${describeValue(v)}, not a number`);
  }
  return Math.round(n);
}

/** A rule value used as a condition: true / false (or the strings "true"/"false"). */
export function toCondition(v: RuleValue, where: string): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  if (v === null) return false;
  throw new RuleError("InvalidCondition", `${where}: the rule returned ${describeValue(v)}, not a boolean`);
}

/** A rule value used as a score. */
export function toScore(v: RuleValue, where: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new RuleError("InvalidScore", `${where}: the rule returned ${describeValue(v)}, not a number`);
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "Blank";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function isPrimitive(v: unknown): v is Primitive {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
