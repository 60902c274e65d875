// Which failures are worth retrying, and what the caller hears about the retries.
//
// The Azure core retry policy retries every "system error" with exponential backoff, connection refused
// and unknown host included: with 8 retries that is about two minutes of silence before a typo in the
// endpoint (or an emulator that is not running) is reported. Those failures do not fix themselves in
// seconds, so they fail at once here; timeouts, dropped connections, 429 and 5xx keep their retries.
//
// Two policies share one record per request (the retry policy resends the same request object):
//  - `outer` (before the Retry phase) sees the whole call: it stamps the attempt count on the final error
//    or error response, so the message can say how many attempts were made and over how long;
//  - `inner` (after the Retry phase) sees each attempt: it counts them, reports a retry as it starts
//    (`onRetry`), and turns an unreachable endpoint into an error the retry strategies do not retry.

import { RestError } from "@azure/core-rest-pipeline";
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

/** Network failures that mean "nothing is listening there" or "no such host": retrying cannot help soon. */
export const UNREACHABLE_CODES: readonly string[] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"];

/** The response header (ours, never sent by the service) that carries the attempt count to the client. */
export const ATTEMPTS_HEADER = "x-jobrouter-client-attempts";

/** A retry about to start: what failed last, and how long the call has taken so far. */
export interface RetryEvent {
  method: string;
  /** Request path without the query. */
  path: string;
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  /** What the previous attempt ended with, e.g. `429 TooManyRequests` or `ETIMEDOUT`. */
  reason: string;
  elapsedMs: number;
}

/** Properties added to the error thrown for an unreachable endpoint (and to any error after retries). */
export interface AttemptInfo {
  attempts: number;
  elapsedMs: number;
}

interface Record {
  attempts: number;
  startedAt: number;
  lastReason: string;
}

function describeCode(code: string): string {
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused: nothing is listening at that address and port";
    case "ENOTFOUND":
      return "unknown host: the name does not resolve";
    case "EAI_AGAIN":
      return "the host name could not be resolved (DNS did not answer)";
    default:
      return code;
  }
}

function pathOf(request: PipelineRequest): string {
  try {
    return new URL(request.url).pathname;
  } catch {
    return "?";
  }
}

function originOf(request: PipelineRequest): string {
  try {
    return new URL(request.url).origin;
  } catch {
    return "the endpoint";
  }
}

function errorCode(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as Error & { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** The error for an endpoint that cannot be reached; `code` is the system code, `unreachable` marks it. */
export class UnreachableEndpointError extends RestError {
  /** The system code (ECONNREFUSED, ENOTFOUND, EAI_AGAIN); RestError.code holds a non-retried marker. */
  readonly systemCode: string;
  readonly endpoint: string;
  attempts = 1;
  elapsedMs = 0;
  constructor(endpoint: string, systemCode: string, detail: string, request: PipelineRequest) {
    // The core exponential strategy retries RestErrors whose code is a system error; this code is not one.
    super(
      `cannot reach ${endpoint}: ${describeCode(systemCode)} (${detail}); not retried: a refused connection or an unknown host does not recover within seconds`,
      { code: "EndpointUnreachable", request },
    );
    this.name = "UnreachableEndpointError";
    this.systemCode = systemCode;
    this.endpoint = endpoint;
  }
}

export function attemptPolicies(onRetry?: (event: RetryEvent) => void): {
  outer: PipelinePolicy;
  inner: PipelinePolicy;
} {
  const records = new WeakMap<PipelineRequest, Record>();

  const outer: PipelinePolicy = {
    name: "jobRouterAttemptsOuter",
    async sendRequest(request, next) {
      const record: Record = { attempts: 0, startedAt: Date.now(), lastReason: "" };
      records.set(request, record);
      try {
        const response = await next(request);
        if (response.status >= 400) response.headers.set(ATTEMPTS_HEADER, String(record.attempts));
        return response;
      } catch (e) {
        if (e instanceof Error && e.name !== "AbortError") {
          Object.assign(e, { attempts: record.attempts, elapsedMs: Date.now() - record.startedAt });
        }
        throw e;
      } finally {
        records.delete(request);
      }
    },
  };

  const inner: PipelinePolicy = {
    name: "jobRouterAttemptsInner",
    async sendRequest(request, next) {
      const record = records.get(request);
      if (record !== undefined) {
        record.attempts += 1;
        if (record.attempts > 1 && onRetry !== undefined) {
          try {
            onRetry({
              method: request.method,
              path: pathOf(request),
              attempt: record.attempts,
              reason: record.lastReason,
              elapsedMs: Date.now() - record.startedAt,
            });
          } catch {
            // A reporting failure must never fail the request.
          }
        }
      }
      try {
        const response = await next(request);
        if (record !== undefined) record.lastReason = String(response.status);
        return response;
      } catch (e) {
        const code = errorCode(e);
        // The core client's own per-attempt timeout aborts the request: that is a timeout, not the caller's abort.
        const timedOut =
          e instanceof Error && e.name === "AbortError" && request.timeout > 0 && request.abortSignal?.aborted !== true;
        if (record !== undefined)
          record.lastReason = timedOut ? "ETIMEDOUT" : (code ?? (e instanceof Error ? e.name : "error"));
        if (code !== undefined && UNREACHABLE_CODES.includes(code)) {
          const detail = e instanceof Error ? e.message : String(e);
          throw new UnreachableEndpointError(originOf(request), code, detail, request);
        }
        throw e;
      }
    },
  };

  return { outer, inner };
}
