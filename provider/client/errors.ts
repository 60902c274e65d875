// The one error type of the client, and the parsing of the service's error envelopes.
//
// The real service wraps errors in `{"communicationError": {...}}` (facts §5); the OpenAPI spec says
// `{"error": {...}}`. Both are accepted. A JobRouterError keeps only what is safe to log: status,
// codes, messages, target and details. It never holds the request, the response, headers, the access
// key or a signature; Azure's RestError keeps request and response (non-enumerable, but reachable),
// so it is never attached as a `cause` either.

/** One entry of the service's `details` array (recursive). */
export interface JobRouterErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: JobRouterErrorDetail[];
}

export interface JobRouterErrorInit {
  message: string;
  statusCode?: number;
  code: string;
  details?: JobRouterErrorDetail[];
  target?: string;
  innerCode?: string;
}

/** Every failure of a JobRouterClient call (HTTP error, network error, unreadable response). */
export class JobRouterError extends Error {
  override name = "JobRouterError";
  /** HTTP status, or undefined when no response arrived (network failure). */
  readonly statusCode: number | undefined;
  /** The service's error code (e.g. `BadRequest`, `Conflict`), or a client code such as `ECONNREFUSED`. */
  readonly code: string;
  /** The service's `details`, e.g. `[{code: "QueueExistsWithDistributionPolicy", ...}]`. */
  readonly details: JobRouterErrorDetail[];
  /** The service's `target`: the request path. */
  readonly target: string | undefined;
  /** `innererror.code` when the service sends one. */
  readonly innerCode: string | undefined;

  constructor(init: JobRouterErrorInit) {
    super(init.message);
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.details = init.details ?? [];
    this.target = init.target;
    this.innerCode = init.innerCode;
  }

  /** JSON.stringify(err) would otherwise drop the message (it is not an enumerable own property). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      statusCode: this.statusCode,
      code: this.code,
      details: this.details,
      target: this.target,
      innerCode: this.innerCode,
    };
  }

  /** True when `e` is a JobRouterError with this status (e.g. `JobRouterError.hasStatus(e, 404)`). */
  static hasStatus(e: unknown, status: number): e is JobRouterError {
    return e instanceof JobRouterError && e.statusCode === status;
  }

  /** The codes of this error and of all its details, depth-first (handy for referential refusals). */
  allCodes(): string[] {
    const out = [this.code];
    const walk = (ds: JobRouterErrorDetail[]): void => {
      for (const d of ds) {
        out.push(d.code);
        if (d.details) walk(d.details);
      }
    };
    walk(this.details);
    return out;
  }
}

export function isJobRouterError(e: unknown): e is JobRouterError {
  return e instanceof JobRouterError;
}

// ---------------------------------------------------------------- redaction

const REDACTED = "[REDACTED]";

/**
 * Removes secrets from text that came from the wire or from lower layers: the given literal secrets
 * (the access key), HMAC signatures and bearer tokens, wherever they appear.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    // Very short strings would blank out ordinary words; real keys are long.
    if (s.length >= 8) out = out.split(s).join(REDACTED);
  }
  out = out.replace(/Signature=[A-Za-z0-9+/=%_-]+/g, `Signature=${REDACTED}`);
  out = out.replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`);
  return out;
}

// ---------------------------------------------------------------- envelope parsing

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

const MAX_TEXT = 2000;

function parseDetail(v: unknown, secrets: readonly string[], depth: number): JobRouterErrorDetail | undefined {
  if (!isRecord(v) || depth > 5) return undefined;
  const d: JobRouterErrorDetail = {
    code: redact(str(v.code) ?? "Unknown", secrets),
    message: redact((str(v.message) ?? "").slice(0, MAX_TEXT), secrets),
  };
  const target = str(v.target);
  if (target !== undefined) d.target = redact(target, secrets);
  if (Array.isArray(v.details)) {
    const nested = v.details.map((x) => parseDetail(x, secrets, depth + 1)).filter((x) => x !== undefined);
    if (nested.length > 0) d.details = nested;
  }
  return d;
}

/** What a response body says about an error, whichever envelope (or none) it uses. */
export interface ParsedErrorBody {
  code?: string;
  message?: string;
  target?: string;
  details: JobRouterErrorDetail[];
  innerCode?: string;
}

/** Reads `{communicationError: {...}}`, `{error: {...}}`, a bare `{code, message}`, or plain text. */
export function parseErrorBody(body: unknown, secrets: readonly string[] = []): ParsedErrorBody {
  if (typeof body === "string") {
    const text = body.trim();
    return text === "" ? { details: [] } : { message: redact(text.slice(0, MAX_TEXT), secrets), details: [] };
  }
  if (!isRecord(body)) return { details: [] };
  const envelope = isRecord(body.communicationError)
    ? body.communicationError
    : isRecord(body.error)
      ? body.error
      : typeof body.code === "string"
        ? body
        : undefined;
  if (envelope === undefined) return { details: [] };
  const top = parseDetail(envelope, secrets, 0);
  const inner = isRecord(envelope.innererror) ? str(envelope.innererror.code) : undefined;
  const out: ParsedErrorBody = { details: top?.details ?? [] };
  const code = str(envelope.code);
  if (code !== undefined) out.code = top?.code ?? code;
  const message = str(envelope.message);
  if (message !== undefined) out.message = top?.message ?? message;
  if (top?.target !== undefined) out.target = top.target;
  if (inner !== undefined) out.innerCode = redact(inner, secrets);
  return out;
}

const STATUS_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  408: "RequestTimeout",
  409: "Conflict",
  412: "PreconditionFailed",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

function hintFor(status: number, method: string): string | undefined {
  switch (status) {
    case 401:
      return "the service rejected the credentials: the access key in the connection string (or the token credential) is not this endpoint's, or the machine clock is off (x-ms-date is signed)";
    case 403:
      return "the credential is valid but not allowed to do this";
    case 404:
      // Job Router creates with PATCH (an upsert): a 404 to it means the endpoint is not a Job Router at all.
      return method === "PATCH" || method === "PUT"
        ? "a Job Router creates or updates objects with PATCH and never answers it with 404, so this endpoint is not a Job Router: check the endpoint (https://<resource>.communication.azure.com/, or the http://127.0.0.1:<port>/ the local emulator printed)"
        : "no object with this id exists (when every request answers 404, the endpoint is not a Job Router: check it)";
    case 412:
      return method === "PATCH"
        ? "the object changed since you read it (If-Match/If-Unmodified-Since did not hold); read it again to get the current ETag, then retry"
        : "a precondition did not hold";
    case 429:
      return "throttled and still throttled after the client's retries; slow down or raise retryOptions.maxRetries";
    default:
      return status >= 500 ? "the service failed and still failed after the client's retries" : undefined;
  }
}

function describeDetails(details: JobRouterErrorDetail[]): string {
  return details.map((d) => (d.message ? `${d.code}: ${d.message}` : d.code)).join("; ");
}

export interface ErrorResponseInput {
  method: string;
  /** Request path without the query string (the query may hold continuation tokens). */
  path: string;
  status: number;
  body: unknown;
  /** `x-ms-error-code` response header, which the spec declares (the real service omits it). */
  errorCodeHeader?: string;
  /** Literal secrets to scrub from anything the server echoed back. */
  secrets?: readonly string[];
  /** Attempts the client made (1 when the error came at once, more after retries). */
  attempts?: number;
}

/** Builds the JobRouterError for an HTTP error response. */
export function errorFromResponse(input: ErrorResponseInput): JobRouterError {
  const secrets = input.secrets ?? [];
  const parsed = parseErrorBody(input.body, secrets);
  const code = parsed.code ?? input.errorCodeHeader ?? STATUS_CODES[input.status] ?? `Http${input.status}`;
  const serviceMessage = parsed.message?.replace(/\s*\r?\n\s*/g, " ").trim();
  const parts = [`${input.method} ${redact(input.path, secrets)} failed with ${input.status} ${code}`];
  if (serviceMessage) parts[0] += `: ${serviceMessage}`;
  if (parsed.details.length > 0) parts.push(`details: ${describeDetails(parsed.details)}`);
  const hint = hintFor(input.status, input.method);
  if (hint) parts.push(hint);
  if (input.attempts !== undefined && input.attempts > 1) parts.push(`${input.attempts} attempts were made`);
  const init: JobRouterErrorInit = {
    // The service's sentences end with "."; avoid "occurred.. details".
    message: parts.map((p) => p.replace(/\.+$/, "")).join(". "),
    statusCode: input.status,
    code,
    details: parsed.details,
  };
  if (parsed.target !== undefined) init.target = parsed.target;
  if (parsed.innerCode !== undefined) init.innerCode = parsed.innerCode;
  return new JobRouterError(init);
}

function errorProp(e: object, key: string): unknown {
  return (e as Record<string, unknown>)[key];
}

/**
 * Converts a failure thrown by the pipeline (network error, unparsable body) into a JobRouterError.
 * Abort errors are returned unchanged: callers that abort expect an AbortError.
 */
export function errorFromException(e: unknown, method: string, path: string, secrets: readonly string[] = []): Error {
  if (e instanceof JobRouterError) return e;
  if (e instanceof Error && e.name === "AbortError") return e;
  const raw = e instanceof Error ? e.message : String(e);
  const status = e instanceof Error ? errorProp(e, "statusCode") : undefined;
  // An unreachable endpoint carries its system code (ECONNREFUSED, ...) apart from the marker code that kept
  // it from being retried (retryPolicy.ts); callers see the system code.
  const systemCode = e instanceof Error ? errorProp(e, "systemCode") : undefined;
  const rawCode = typeof systemCode === "string" ? systemCode : e instanceof Error ? errorProp(e, "code") : undefined;
  const code = typeof rawCode === "string" && rawCode !== "" ? rawCode : "RequestSendError";
  const attempts = e instanceof Error ? errorProp(e, "attempts") : undefined;
  const elapsed = e instanceof Error ? errorProp(e, "elapsedMs") : undefined;
  const after =
    typeof attempts === "number" && attempts > 1
      ? ` (${attempts} attempts${typeof elapsed === "number" ? ` over ${Math.round(elapsed / 1000)} s` : ""})`
      : "";
  const init: JobRouterErrorInit = {
    message: `${method} ${redact(path, secrets)} failed: ${redact(raw.slice(0, MAX_TEXT), secrets)}${after}`,
    code,
  };
  if (typeof status === "number") init.statusCode = status;
  return new JobRouterError(init);
}
