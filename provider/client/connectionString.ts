// Connection strings of the form `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>`.
//
// We parse them ourselves instead of calling @azure/communication-common's parser because that parser
// throws `Invalid connection string <the whole string>`, i.e. it echoes the access key into the error.
// Errors here name the rule that failed and never include any part of the input: a malformed string can
// put the key where the endpoint should be (a missing `;`), so not even the "endpoint" part is echoed.

/** The two parts of a Job Router connection string. */
export interface ParsedConnectionString {
  /** The endpoint origin, e.g. `https://contoso.communication.azure.com` (no trailing slash). */
  endpoint: string;
  /** The base64 access key. Secret: never log it. */
  accessKey: string;
}

/** Thrown for a malformed connection string; the message names the rule and never quotes the input. */
export class ConnectionStringError extends Error {
  constructor(rule: string) {
    super(`Invalid Job Router connection string: ${rule}`);
    this.name = "ConnectionStringError";
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True for a standard base64 string (the form of Communication Services access keys). */
export function isBase64(value: string): boolean {
  return BASE64.test(value);
}

/**
 * Checks and normalises a Job Router endpoint: an absolute http or https URL with an empty path or `/`,
 * no query, fragment or credentials. Returns the origin without a trailing slash. `fail` builds the error
 * from the broken rule (which starts with "endpoint"); the value itself is never put in the message.
 */
export function normaliseEndpoint(value: string, fail: (rule: string) => Error = (r) => new TypeError(r)): string {
  let url: URL;
  try {
    url = new URL(String(value).trim());
  } catch {
    throw fail("endpoint must be an absolute http:// or https:// URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw fail("endpoint must use the http or https scheme");
  }
  if (url.username !== "" || url.password !== "") {
    throw fail("endpoint must not contain user information");
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw fail('endpoint must have an empty path or "/" (the client adds /routing/...)');
  }
  if (url.search !== "" || url.hash !== "") {
    throw fail("endpoint must not have a query or a fragment");
  }
  return url.origin;
}

/**
 * Parses `endpoint=...;accesskey=...`. Keys are case-insensitive and may come in either order; empty
 * segments (a trailing `;`) are ignored; each key must appear exactly once; no other keys are allowed.
 */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  if (typeof connectionString !== "string" || connectionString.trim() === "") {
    throw new ConnectionStringError(
      "connectionString must be a non-empty string of the form endpoint=<url>;accesskey=<base64>",
    );
  }
  let endpoint: string | undefined;
  let accessKey: string | undefined;
  for (const rawSegment of connectionString.split(";")) {
    const segment = rawSegment.trim();
    if (segment === "") continue;
    const eq = segment.indexOf("=");
    if (eq <= 0) {
      throw new ConnectionStringError(
        "every segment must be key=value, separated by ';' (expected endpoint=<url>;accesskey=<base64>)",
      );
    }
    const key = segment.slice(0, eq).trim().toLowerCase();
    // Base64 keys end in '=' padding, so only the first '=' separates key from value.
    const value = segment.slice(eq + 1).trim();
    if (key === "endpoint") {
      if (endpoint !== undefined) throw new ConnectionStringError("endpoint must appear exactly once");
      endpoint = value;
    } else if (key === "accesskey") {
      if (accessKey !== undefined) throw new ConnectionStringError("accesskey must appear exactly once");
      accessKey = value;
    } else {
      // Key names are not secret, but cap the length in case a value was mistaken for a key.
      const shown = key.length <= 32 && /^[a-z0-9_-]+$/.test(key) ? `"${key}"` : "(unrecognised)";
      throw new ConnectionStringError(`unknown key ${shown}; only endpoint and accesskey are allowed`);
    }
  }
  if (endpoint === undefined || endpoint === "") {
    throw new ConnectionStringError("endpoint is required (endpoint=https://<resource>.communication.azure.com/)");
  }
  if (accessKey === undefined || accessKey === "") {
    throw new ConnectionStringError("accesskey is required (the resource's base64 access key)");
  }
  if (!isBase64(accessKey)) {
    // The HMAC key is the base64-decoded access key, so anything else cannot sign correctly.
    throw new ConnectionStringError("accesskey must be base64 (characters A-Z a-z 0-9 + / and trailing = padding)");
  }
  return { endpoint: normaliseEndpoint(endpoint, (rule) => new ConnectionStringError(rule)), accessKey };
}
