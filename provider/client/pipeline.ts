// Pipeline pieces the Job Router client adds to the Azure core pipeline: authentication (HMAC or bearer)
// and one retry strategy the default retry policy lacks. Everything here is created per client: there is
// no module-level state.

import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { isTokenCredential } from "@azure/core-auth";
import {
  createCommunicationAccessKeyCredentialPolicy,
  createCommunicationAuthPolicy,
} from "@azure/communication-common";
import { RestError, bearerTokenAuthenticationPolicy, retryPolicy } from "@azure/core-rest-pipeline";
import type { PipelinePolicy, PipelineRequest, RetryStrategy } from "@azure/core-rest-pipeline";

/** The Entra ID scope of Communication Services (the double slash is the service's own spelling, facts §9.3). */
export const COMMUNICATION_SCOPE = "https://communication.azure.com//.default";

/** Retry settings, passed to the Azure core pipeline's retry policies. */
export interface JobRouterRetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Base delay of the exponential backoff (default 1000 ms); a Retry-After header overrides it. */
  retryDelayInMs?: number;
  /** Cap of the exponential backoff (default 64000 ms). */
  maxRetryDelayInMs?: number;
}

/**
 * Bearer-token policy for plain-http endpoints. The Azure bearer policy refuses http outright, which is
 * right for real endpoints; this one exists only for an explicit `allowInsecureConnection: true` (a local
 * emulator behind a TokenCredential). The credential's own cache (as in @azure/identity) avoids a token
 * request per call.
 */
function insecureBearerTokenPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  return {
    name: "jobRouterInsecureBearerTokenPolicy",
    async sendRequest(request, next) {
      const token = await credential.getToken(scopes, { abortSignal: request.abortSignal });
      if (!token) throw new Error("credential: the TokenCredential returned no token");
      request.headers.set("Authorization", `Bearer ${token.token}`);
      return next(request);
    },
  };
}

/**
 * Chooses the auth policy. Access keys sign each request with HMAC-SHA256 (communication-common), bearer
 * tokens go through Azure's bearer policy, which only sends tokens over https.
 */
export function createAuthPolicy(
  credential: KeyCredential | TokenCredential,
  endpointIsHttps: boolean,
  allowInsecureBearer: boolean,
  scopes: string[] | undefined,
): PipelinePolicy {
  if (isTokenCredential(credential)) {
    const s = scopes && scopes.length > 0 ? scopes : [COMMUNICATION_SCOPE];
    if (!endpointIsHttps) {
      if (!allowInsecureBearer) {
        throw new Error(
          "endpoint: bearer tokens are only sent over https; set allowInsecureConnection: true to send them to an http endpoint (a local emulator)",
        );
      }
      return insecureBearerTokenPolicy(credential, s);
    }
    if (scopes === undefined) return createCommunicationAuthPolicy(credential);
    // createCommunicationAuthPolicy hard-codes the scope; custom scopes need the policy built directly.
    return bearerTokenAuthenticationPolicy({ credential, scopes: s });
  }
  return createCommunicationAccessKeyCredentialPolicy(credential);
}

/**
 * Azure's default retry policy retries 429 and 503 only when they carry Retry-After, and other 5xx/408
 * with exponential backoff. The service's 429s are not known to carry Retry-After (facts §1), so this
 * strategy adds exponential backoff for a 429 without one. It plugs into the core `retryPolicy`; the
 * default policy still handles every other case.
 */
export function throttledWithoutRetryAfterPolicy(options: JobRouterRetryOptions): PipelinePolicy {
  const base = options.retryDelayInMs ?? 1000;
  const cap = options.maxRetryDelayInMs ?? 64_000;
  const strategy: RetryStrategy = {
    name: "jobRouterThrottledWithoutRetryAfter",
    retry({ retryCount, response }) {
      if (!response || response.status !== 429) return { skipStrategy: true };
      const hasHint = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"].some((h) => response.headers.has(h));
      if (hasHint) return { skipStrategy: true };
      const exp = Math.min(cap, base * 2 ** retryCount);
      // Half fixed, half jitter, like the core exponential strategy, so clients that were throttled together
      // do not come back together.
      return { retryAfterInMs: exp / 2 + Math.random() * (exp / 2) };
    },
  };
  return { ...retryPolicy([strategy], { maxRetries: options.maxRetries ?? 3 }), name: "jobRouterThrottledRetryPolicy" };
}

/** Timed-out attempts retried at most this many times (unless maxRetries is lower): see below. */
export const MAX_TIMEOUT_RETRIES = 2;

/** `30 s`, or `50 ms` below a second. */
export function describeTimeout(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the endpoint";
  }
}

/**
 * The last timed-out attempt of a call: carries ETIMEDOUT as `systemCode` (what callers see) and a code the
 * core exponential strategy does not retry.
 */
export class AttemptTimeoutError extends RestError {
  readonly systemCode = "ETIMEDOUT";
  constructor(message: string, request: PipelineRequest) {
    super(message, { code: "AttemptTimedOut", request });
    this.name = "AttemptTimeoutError";
  }
}

/**
 * The core http client implements a per-attempt timeout by aborting the request, which surfaces as an
 * AbortError: the retry policy never retries those, and callers cannot tell it from their own abort.
 * Sitting inside the retry policy, this turns an abort that the caller did not ask for (their signal is
 * not aborted, a timeout is set) into an ETIMEDOUT RestError, which the core exponential strategy retries
 * like any other system error.
 *
 * Timeouts get fewer retries than throttling: a server that has not answered within the timeout
 * `MAX_TIMEOUT_RETRIES + 1` times in a row is down or is not a Job Router, and each such attempt costs the
 * whole timeout (8 retries of 30 s would hold a `pulumi up` for over 4 minutes per request). The last one
 * is thrown as AttemptTimeoutError, which no strategy retries. The message names the endpoint and the timeout.
 */
export function timeoutAsRetryableErrorPolicy(maxRetries: number = MAX_TIMEOUT_RETRIES): PipelinePolicy {
  const timeouts = new WeakMap<PipelineRequest, number>();
  return {
    name: "jobRouterTimeoutAsRetryableError",
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (e) {
        const callerAborted = request.abortSignal?.aborted === true;
        if (e instanceof Error && e.name === "AbortError" && !callerAborted && request.timeout > 0) {
          const count = (timeouts.get(request) ?? 0) + 1;
          timeouts.set(request, count);
          const message = `no answer within ${describeTimeout(request.timeout)} (the per-attempt timeout) from ${originOf(request.url)}`;
          if (count > maxRetries) throw new AttemptTimeoutError(message, request);
          throw new RestError(message, { code: "ETIMEDOUT", request });
        }
        throw e;
      }
    },
  };
}
