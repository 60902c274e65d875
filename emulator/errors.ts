// Error responses shaped as the real service sends them (facts §5, recordings):
//   {"communicationError":{"code","message","target","details"?}}
// - `target` is the request path without the query string. [rec]
// - 400 validation/referential errors: code "BadRequest", message "One or more validation errors occurred.",
//   reasons in `details` as {code, message}. [rec]
// - 409: code "Conflict", no details, reasons concatenated into the message as
//   "Validation failed: \r\n -- : <r1>\r\n -- : <r2>". [rec]
// - No `x-ms-error-code` header. [rec]
// Authentication failures are answered by the ACS gateway in front of the service, whose body uses the
// `error` envelope with code "Denied" (seen in public ACS issues, not in the Job Router recordings).

import type { EmulatorResponse } from "./http";

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export interface CommunicationError {
  code: string;
  message: string;
  target: string;
  details?: ErrorDetail[];
}

function envelope(status: number, error: CommunicationError, headers?: Record<string, string>): EmulatorResponse {
  const response: EmulatorResponse = { status, body: { communicationError: error } };
  if (headers) response.headers = headers;
  return response;
}

export const VALIDATION_MESSAGE = "One or more validation errors occurred.";

export interface ErrorFactory {
  /** 400 BadRequest with details, as for refused deletes and validation failures. [rec] */
  badRequest(target: string, details: ErrorDetail[], message?: string): EmulatorResponse;
  /** 409 Conflict with the reasons concatenated into the message. [rec] */
  conflict(target: string, reasons: string[]): EmulatorResponse;
  /** 404 NotFound for a missing id. [guess: Azure REST guidelines; never recorded] */
  notFound(target: string, message?: string): EmulatorResponse;
  /** 412 for failed If-Match / If-Unmodified-Since. [guess: HTTP semantics; never recorded] */
  preconditionFailed(target: string): EmulatorResponse;
  /** 401 from the gateway for missing/invalid credentials (`error` envelope, code Denied). */
  unauthorized(message: string): EmulatorResponse;
  /** 404 for a route this emulator does not serve (yet). [guess: ASP.NET answers 404 for unknown routes] */
  unsupportedRoute(target: string, method: string): EmulatorResponse;
  /** 405 for a known path with a method it does not support. [guess] */
  methodNotAllowed(target: string, method: string, allowed: string[]): EmulatorResponse;
  /** 400 for a missing or unsupported api-version. [guess: codes from ASP.NET API versioning] */
  apiVersion(target: string, given: string | undefined, supported: readonly string[]): EmulatorResponse;
  /** 400 for an unparsable body or wrong content type. [guess] */
  invalidBody(target: string, message: string): EmulatorResponse;
  /** Fault injection: 429/503 with Retry-After. [doc: 429 for throttling; body shape unknown] */
  throttled(target: string, status: 429 | 503, retryAfterSeconds: number): EmulatorResponse;
}

export function createErrorFactory(): ErrorFactory {
  return {
    badRequest(target, details, message = VALIDATION_MESSAGE) {
      return envelope(400, { code: "BadRequest", message, target, details });
    },
    conflict(target, reasons) {
      const message = "Validation failed: " + reasons.map((r) => `\r\n -- : ${r}`).join("");
      return envelope(409, { code: "Conflict", message, target });
    },
    notFound(target, message = "The requested resource was not found.") {
      return envelope(404, { code: "NotFound", message, target });
    },
    preconditionFailed(target) {
      return envelope(412, {
        code: "PreconditionFailed",
        message: "The condition specified using HTTP conditional header(s) is not met.",
        target,
      });
    },
    unauthorized(message) {
      return {
        status: 401,
        headers: { "WWW-Authenticate": 'HMAC-SHA256 error="invalid_token"' },
        body: { error: { code: "Denied", message } },
      };
    },
    unsupportedRoute(target, method) {
      return envelope(404, {
        code: "NotFound",
        message: `No route matches ${method} ${target} (this emulator does not serve it).`,
        target,
      });
    },
    methodNotAllowed(target, method, allowed) {
      return envelope(
        405,
        { code: "MethodNotAllowed", message: `The HTTP method ${method} is not supported for this resource.`, target },
        { Allow: allowed.join(", ") },
      );
    },
    apiVersion(target, given, supported) {
      if (given === undefined || given === "") {
        return envelope(400, {
          code: "ApiVersionUnspecified",
          message: `An API version is required, but was not specified. Supported: ${supported.join(", ")}.`,
          target,
        });
      }
      return envelope(400, {
        code: "UnsupportedApiVersion",
        message: `The HTTP resource that matches the request URI does not support the API version '${given}'. Supported: ${supported.join(", ")}.`,
        target,
      });
    },
    invalidBody(target, message) {
      return envelope(400, {
        code: "BadRequest",
        message: VALIDATION_MESSAGE,
        target,
        details: [{ code: "InvalidRequestBody", message }],
      });
    },
    throttled(target, status, retryAfterSeconds) {
      const code = status === 429 ? "TooManyRequests" : "ServiceUnavailable";
      const message =
        status === 429
          ? "Rate limit exceeded (injected fault)."
          : "The service is temporarily unavailable (injected fault).";
      return envelope(status, { code, message, target }, { "Retry-After": String(retryAfterSeconds) });
    },
  };
}
