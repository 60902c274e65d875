// How a resource reaches Job Router. Four routes, in this order:
//   1. the resource's `connection` input: a connection string, or `{endpoint, accessKey}`, or `{endpoint}`
//      alone (Entra ID through DefaultAzureCredential);
//   2. the stack config `jobrouter:connectionString` (set it with `pulumi config set --secret`);
//   3. the stack config `jobrouter:endpoint` (plain): that endpoint with Entra ID (DefaultAzureCredential);
//   4. the environment variable JOBROUTER_CONNECTION_STRING.
// Routes 2 and 3 together are refused as ambiguous (which credential was meant cannot be guessed). There is no
// JOBROUTER_ENDPOINT variable: an endpoint is no secret, so the stack's config file can always hold it.
// Resolution happens inside the provider at call time, so nothing of it is captured in the serialized
// provider. Only route 1 is stored with the resource (encrypted: the resource marks it secret); routes 2 to 4
// reach refresh and destroy through the provider configuration the engine recorded at the last `up`. Every
// resource records which connection it was last read or written through (`connectedTo`), and a new one is
// checked by reading the object through it before it is recorded (connectionCheck.ts).
//
// Pure: the sources of config and environment are passed in. Error messages never contain any part of
// a connection string or key.

import { createHmac } from "node:crypto";
import { ConnectionStringError, normaliseEndpoint, parseConnectionString } from "./client/connectionString";
import { isObject, isUnknown } from "./json";

/** The `connection` input. */
export type Connection = string | ConnectionDetails;
export interface ConnectionDetails {
  /** `https://<resource>.communication.azure.com`. */
  endpoint: string;
  /** The resource's access key (base64). Leave out to authenticate with Entra ID (DefaultAzureCredential). */
  accessKey?: string;
}

/**
 * Optional marker on a `{endpoint, accessKey}` connection saying it was copied from the stack config or the
 * environment, so that messages say where it came from (used by tests; no other effect).
 */
export const SOURCE_KEY = "source";

/**
 * The stack config that resources without a `connection` input use: a Job Router connection string
 * (`endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`). Set it with
 * `pulumi config set --secret jobrouter:connectionString ...`; it is always kept encrypted.
 */
export const CONNECTION_CONFIG_KEY = "jobrouter:connectionString";
/**
 * The stack config that resources without a `connection` input use when `jobrouter:connectionString` is not set:
 * the endpoint of a Communication Services resource (`https://<resource>.communication.azure.com`), reached with
 * Entra ID (DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI, ...). Not a
 * secret: set it with `pulumi config set jobrouter:endpoint https://<resource>.communication.azure.com`. Setting
 * it together with `jobrouter:connectionString` is refused.
 */
export const ENDPOINT_CONFIG_KEY = "jobrouter:endpoint";
export const CONNECTION_ENV_VAR = "JOBROUTER_CONNECTION_STRING";

/** Where stack config and environment variables are read from (the provider host, or a test). */
export interface ConnectionSources {
  config(key: string): string | undefined;
  env(name: string): string | undefined;
}

export type ResolvedConnection =
  | { via: "connection" | "config" | "env"; auth: "accessKey"; endpoint: string; accessKey: string }
  | { via: "connection" | "endpointConfig"; auth: "entraId"; endpoint: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const HOW_TO_CONNECT =
  "give the resource a `connection` input (a connection string, or {endpoint, accessKey}, or {endpoint} for Entra ID), " +
  `or set the secret stack config \`${CONNECTION_CONFIG_KEY}\` (pulumi config set --secret ${CONNECTION_CONFIG_KEY} "endpoint=https://...;accesskey=..."), ` +
  `or the stack config \`${ENDPOINT_CONFIG_KEY}\` for Entra ID (pulumi config set ${ENDPOINT_CONFIG_KEY} https://<resource>.communication.azure.com), ` +
  `or set the environment variable ${CONNECTION_ENV_VAR}`;

/** Both stack config routes set: refused, naming both keys and how to keep one. */
export const AMBIGUOUS_CONFIG_MESSAGE =
  `the stack config sets both \`${CONNECTION_CONFIG_KEY}\` and \`${ENDPOINT_CONFIG_KEY}\`, so it is ambiguous whether ` +
  "to use the access key or Entra ID; nothing was sent. Keep one: `pulumi config rm " +
  `${ENDPOINT_CONFIG_KEY}\` to use the connection string's key, or \`pulumi config rm ${CONNECTION_CONFIG_KEY}\` to use ` +
  "Entra ID (DefaultAzureCredential) at the endpoint";

/** Thrown when no route yields a usable connection; says which route failed and how to fix it. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

function ruleOf(e: unknown): string {
  if (e instanceof ConnectionStringError) return e.message.replace(/^Invalid Job Router connection string: /, "");
  return e instanceof Error ? e.message : String(e);
}

/** Said of an http:// endpoint reached with Entra ID: the client never sends a token over plain http. */
export const ENTRA_ID_HTTPS_RULE = "must use https with Entra ID (tokens are only sent over https)";

/** What is wrong with an endpoint, as the rule alone (`must …`); undefined when it is usable. */
function endpointRule(endpoint: string, entraId: boolean): string | undefined {
  let normalised: string;
  try {
    normalised = normaliseEndpoint(endpoint);
  } catch (e) {
    return ruleOf(e).replace(/^endpoint /, "");
  }
  return entraId && normalised.startsWith("http:") ? ENTRA_ID_HTTPS_RULE : undefined;
}

/**
 * Problems with a `connection` input, as `[path, message]` pairs (path like `connection.endpoint`).
 * Unknown values (preview) are not problems.
 */
export function connectionInputProblems(value: unknown): Array<[string, string]> {
  if (value === undefined || value === null || isUnknown(value)) return [];
  if (typeof value === "string") {
    try {
      parseConnectionString(value);
      return [];
    } catch (e) {
      return [["connection", `connection: not a valid connection string: ${ruleOf(e)}`]];
    }
  }
  if (!isObject(value)) {
    return [["connection", "connection: must be a connection string or an object {endpoint, accessKey?}"]];
  }
  const out: Array<[string, string]> = [];
  for (const key of Object.keys(value)) {
    if (key === SOURCE_KEY && (value[key] === "config" || value[key] === "env")) continue;
    if (key !== "endpoint" && key !== "accessKey") {
      out.push([
        `connection.${key}`,
        `connection.${key}: is not a property of connection (known: endpoint, accessKey)`,
      ]);
    }
  }
  const endpoint = value["endpoint"];
  const key = value["accessKey"];
  if (endpoint === undefined || endpoint === null)
    out.push(["connection.endpoint", "connection.endpoint: is required"]);
  else if (!isUnknown(endpoint)) {
    if (typeof endpoint !== "string") out.push(["connection.endpoint", "connection.endpoint: must be a string"]);
    else {
      const rule = endpointRule(endpoint, key === undefined || key === null);
      if (rule !== undefined) out.push(["connection.endpoint", `connection.endpoint: ${rule}`]);
    }
  }
  if (key !== undefined && key !== null && !isUnknown(key)) {
    if (typeof key !== "string" || key === "")
      out.push(["connection.accessKey", "connection.accessKey: must be a non-empty string"]);
    else if (!BASE64.test(key))
      out.push(["connection.accessKey", "connection.accessKey: must be base64 (A-Z a-z 0-9 + / and = padding)"]);
  }
  return out;
}

function fromConnectionString(cs: string, via: "connection" | "config" | "env", label: string): ResolvedConnection {
  try {
    const { endpoint, accessKey } = parseConnectionString(cs);
    return { via, auth: "accessKey", endpoint, accessKey };
  } catch (e) {
    throw new ConnectionError(`${label} is not a valid Job Router connection string: ${ruleOf(e)}`);
  }
}

/** The `jobrouter:endpoint` config, normalised; an invalid one fails with the rule `connection.endpoint` gets. */
function configuredEndpoint(value: string): string {
  const rule = endpointRule(value, true);
  if (rule !== undefined) throw new ConnectionError(`the stack config \`${ENDPOINT_CONFIG_KEY}\`: ${rule}`);
  return normaliseEndpoint(value);
}

/** Picks the connection: the input, else the stack config (key, else endpoint), else the environment. */
export function resolveConnection(input: unknown, sources: ConnectionSources): ResolvedConnection {
  if (input !== undefined && input !== null) {
    const problems = connectionInputProblems(input);
    if (problems.length > 0) throw new ConnectionError(problems.map(([, m]) => m).join("; "));
    if (typeof input === "string") return fromConnectionString(input, "connection", "the `connection` input");
    if (isObject(input) && typeof input["endpoint"] === "string") {
      const endpoint = normaliseEndpoint(input["endpoint"]);
      const key = input["accessKey"];
      const source = input[SOURCE_KEY];
      const via = source === "config" || source === "env" ? source : "connection";
      return typeof key === "string" && key !== ""
        ? { via, auth: "accessKey", endpoint, accessKey: key }
        : { via: "connection", auth: "entraId", endpoint };
    }
  }
  const fromConfig = sources.config(CONNECTION_CONFIG_KEY);
  const endpointConfig = sources.config(ENDPOINT_CONFIG_KEY);
  const hasConfig = fromConfig !== undefined && fromConfig !== "";
  const hasEndpoint = endpointConfig !== undefined && endpointConfig !== "";
  if (hasConfig && hasEndpoint) throw new ConnectionError(AMBIGUOUS_CONFIG_MESSAGE);
  if (hasConfig) {
    return fromConnectionString(fromConfig, "config", `the stack config \`${CONNECTION_CONFIG_KEY}\``);
  }
  if (hasEndpoint) return { via: "endpointConfig", auth: "entraId", endpoint: configuredEndpoint(endpointConfig) };
  const fromEnv = sources.env(CONNECTION_ENV_VAR);
  if (fromEnv !== undefined && fromEnv !== "") {
    return fromConnectionString(fromEnv, "env", `the environment variable ${CONNECTION_ENV_VAR}`);
  }
  throw new ConnectionError(`no Job Router connection: ${HOW_TO_CONNECT}`);
}

/** Where resolveConnection would look, without failing: `undefined` when some route is usable. */
export function connectionProblem(input: unknown, sources: ConnectionSources): string | undefined {
  if (isUnknown(input)) return undefined;
  if (isObject(input) && Object.values(input).some(isUnknown)) return undefined;
  try {
    resolveConnection(input, sources);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Where a resolved connection came from, as messages say it. */
export function describeSource(via: ResolvedConnection["via"]): string {
  switch (via) {
    case "connection":
      return "the resource's `connection` argument";
    case "config":
      return `the stack config \`${CONNECTION_CONFIG_KEY}\``;
    case "endpointConfig":
      return `the stack config \`${ENDPOINT_CONFIG_KEY}\``;
    default:
      return `the environment variable ${CONNECTION_ENV_VAR}`;
  }
}

/**
 * Which service and which credential a resource was last read or written through, kept in its state
 * (`connectedTo`) so that a change of connection from any route (input, stack config, environment) is seen:
 * `http://127.0.0.1:8080/ (access key 3f9a2c1b0d7e)` or `https://x.communication.azure.com/ (Entra ID)`.
 * The key appears only as a fingerprint: the first 12 hex digits of HMAC-SHA256 keyed with the key itself, which
 * tells keys apart but says nothing about them (and cannot be reversed: access keys are 256+ random bits).
 */
export function connectionIdentity(resolved: ResolvedConnection): string {
  if (resolved.auth === "entraId") return `${resolved.endpoint} (Entra ID)`;
  const fingerprint = createHmac("sha256", Buffer.from(resolved.accessKey, "base64"))
    .update("pulumi-jobrouter connection fingerprint")
    .digest("hex")
    .slice(0, 12);
  return `${resolved.endpoint} (access key ${fingerprint})`;
}

/** The endpoint part of a `connectedTo` value. */
export function endpointOfIdentity(identity: string): string {
  return identity.replace(/ \(.*\)$/, "");
}
