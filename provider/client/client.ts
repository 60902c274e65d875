// JobRouterClient: the typed Job Router REST client (api-version 2023-11-01) on top of the Azure
// REST-level client (@azure-rest/core-client). The core pipeline provides retries (429/5xx, Retry-After),
// client request ids, the user agent and api-version; this file adds typed operations, conditional
// headers, paging and error conversion.
//
// Construction is cheap (a pipeline object, no I/O) because the Pulumi dynamic providers build one client
// per operation. Nothing is kept at module level.

import { rootCertificates } from "node:tls";
import { getClient } from "@azure-rest/core-client";
import type { Client, PathParameters, PathUncheckedResponse, RequestParameters } from "@azure-rest/core-client";
import { AzureKeyCredential, isKeyCredential, isTokenCredential } from "@azure/core-auth";
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { isBase64, normaliseEndpoint, parseConnectionString } from "./connectionString";
import { JobRouterError, errorFromException, errorFromResponse } from "./errors";
import {
  ADMIN_COLLECTIONS,
  API_VERSION,
  type AcceptJobOfferResult,
  type AdminCollection,
  type AdminInputByCollection,
  type AdminOutputByCollection,
  type CancelJobOptions,
  type ClassificationPolicy,
  type ClassificationPolicyInput,
  type CloseJobOptions,
  type CompleteJobOptions,
  type DeclineJobOfferOptions,
  type DistributionPolicy,
  type DistributionPolicyInput,
  type ExceptionPolicy,
  type ExceptionPolicyInput,
  type ListJobsOptions,
  type ListWorkersOptions,
  type MergePatch,
  type Page,
  type RouterJob,
  type RouterJobInput,
  type RouterJobPositionDetails,
  type RouterQueue,
  type RouterQueueInput,
  type RouterQueueStatistics,
  type RouterWorker,
  type RouterWorkerInput,
  type UnassignJobOptions,
  type UnassignJobResult,
} from "./models";
import { paginate, type PagedAsyncIterableIterator } from "./paging";
import {
  MAX_TIMEOUT_RETRIES,
  createAuthPolicy,
  throttledWithoutRetryAfterPolicy,
  timeoutAsRetryableErrorPolicy,
  type JobRouterRetryOptions,
} from "./pipeline";
import { ATTEMPTS_HEADER, UNREACHABLE_CODES, attemptPolicies, type RetryEvent } from "./retryPolicy";

/**
 * The default per-attempt timeout: 30 s. The service's own limit for a request is 10 s (ACS service limits:
 * "General Requests ... timeout 10 s"), so a Job Router answers, if only with an error, well within 30 s even
 * over a slow network; a server that never answers then costs at most 3 attempts (about 1.5 minutes) instead
 * of holding the caller forever.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface JobRouterClientOptions {
  /**
   * Retries on 408/429/5xx, timeouts and dropped connections, by the Azure core retry policies. A refused
   * connection or an unknown host fails at once (provider/client/retryPolicy.ts).
   */
  retryOptions?: JobRouterRetryOptions;
  /** Called as each retry starts (what failed, which attempt, how long so far), e.g. to show progress. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Appended to the error when the endpoint cannot be reached (where it was configured, how to fix it). A function
   * is asked for every failed request and may add to any error (e.g. say where a rejected key came from).
   */
  connectionHint?: string | ((error: JobRouterError) => string | undefined);
  /**
   * Per-attempt timeout in milliseconds for every request (default 30000; 0 turns it off). An attempt that
   * gets no answer in time is retried at most twice (a per-call `timeoutInMs` overrides this value); then
   * the call fails with JobRouterError code `ETIMEDOUT`, whose message names the endpoint and the timeout.
   */
  timeoutInMs?: number;
  /** Says where the timeout is set, in the ETIMEDOUT message (default: this option, `timeoutInMs`). */
  timeoutHint?: string;
  /**
   * Ends every request of this client, in flight or waiting to retry, when aborted (AbortError): e.g. when
   * the run that uses the client is cancelled. A per-call `abortSignal` still works alongside it.
   */
  abortSignal?: AbortSignal;
  /**
   * Send bearer tokens (TokenCredential) to an http:// endpoint. Off by default: tokens go over https only.
   * Access-key (HMAC) auth to http endpoints such as the local emulator needs no flag: the key itself is
   * never sent, only a signature bound to the request.
   */
  allowInsecureConnection?: boolean;
  /** Entra ID scopes; default `https://communication.azure.com//.default`. */
  credentialScopes?: string[];
  /** Prepended to the User-Agent header. */
  userAgentPrefix?: string;
  /** A custom transport (tests, proxies). */
  httpClient?: HttpClient;
  /**
   * Extra certificate authorities to trust (PEM text), on top of Node's bundled roots: e.g. the certificate of
   * the local emulator started with `--https` (its `JOBROUTER_CA_CERT` file). NODE_EXTRA_CA_CERTS does the same
   * for a whole process.
   */
  extraCaCertificates?: string[];
}

/** Per-call options. */
export interface OperationOptions {
  abortSignal?: AbortSignal;
  /**
   * Per-attempt timeout in milliseconds. A timed-out attempt is retried like a dropped connection; when
   * retries run out the call fails with JobRouterError code `ETIMEDOUT` (not an AbortError).
   */
  timeoutInMs?: number;
}

/** Options of an upsert (PATCH with merge-patch). */
export interface UpsertOptions extends OperationOptions {
  /** Only write if the object's current ETag is this one (`If-Match`); otherwise the service answers 412. */
  ifMatch?: string;
  /** Only write if the object was not modified after this time (`If-Unmodified-Since`, one-second resolution). */
  ifUnmodifiedSince?: Date;
}

export interface DeleteOptions extends OperationOptions {
  /** Treat 404 as success (the object is gone either way). Returns whether something was deleted. */
  ignoreNotFound?: boolean;
}

export interface ListOptions extends OperationOptions {
  /** Sent as `maxpagesize`. */
  maxPageSize?: number;
}

/** The result of an upsert: the stored object, its new ETag and whether it was created (201) or updated (200). */
export interface UpsertResult<T> {
  value: T;
  etag: string;
  /** `Last-Modified` header (RFC 1123), for If-Unmodified-Since. */
  lastModified?: string;
  created: boolean;
}

type Method = "GET" | "PATCH" | "POST" | "DELETE";

interface RawResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The human-readable path for error messages: the template with its ids filled in. */
function describePath(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/\{[\w-]+\}/g, () => encodeURIComponent(String(args[i++] ?? "")));
}

/** RFC 7232 ETags are quoted; accept an unquoted one (a common copy-paste slip) and quote it. */
function quoteEtag(etag: string): string {
  if (etag === "*" || etag.startsWith('"') || etag.startsWith("W/")) return etag;
  return `"${etag}"`;
}

function isoOrString(v: Date | string): string {
  return v instanceof Date ? v.toISOString() : v;
}

function invalidArgument(rule: string): JobRouterError {
  return new JobRouterError({ code: "InvalidArgument", message: rule });
}

function checkId(field: string, id: unknown): string {
  if (typeof id !== "string" || id === "") throw invalidArgument(`${field} must be a non-empty string`);
  // URL parsing resolves these dot segments away, so the request would address another resource.
  if (id === "." || id === "..") throw invalidArgument(`${field} must not be "." or ".."`);
  return id;
}

function checkCollection(c: unknown): AdminCollection {
  if (typeof c !== "string" || !(ADMIN_COLLECTIONS as readonly string[]).includes(c)) {
    throw invalidArgument(`collection must be one of ${ADMIN_COLLECTIONS.join(", ")}`);
  }
  return c as AdminCollection;
}

/** Body for an action POST: only the fields that are set; no body at all when none is (like the Azure SDK). */
function actionBody(fields: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export class JobRouterClient {
  readonly #endpoint: string;
  readonly #rlc: Client;
  readonly #secrets: () => string[];
  readonly #connectionHint: JobRouterClientOptions["connectionHint"];
  readonly #timeoutInMs: number;
  readonly #timeoutHint: string;
  readonly #abortSignal: AbortSignal | undefined;

  /** Builds a client from `endpoint=...;accesskey=...` (HMAC-SHA256 access-key auth). */
  static fromConnectionString(connectionString: string, options: JobRouterClientOptions = {}): JobRouterClient {
    const { endpoint, accessKey } = parseConnectionString(connectionString);
    return new JobRouterClient(endpoint, new AzureKeyCredential(accessKey), options);
  }

  constructor(endpoint: string, credential: KeyCredential | TokenCredential, options: JobRouterClientOptions = {}) {
    this.#endpoint = normaliseEndpoint(endpoint, (rule) => new TypeError(rule));
    if (!isKeyCredential(credential) && !isTokenCredential(credential)) {
      throw new TypeError("credential must be a KeyCredential (e.g. AzureKeyCredential) or a TokenCredential");
    }
    if (isKeyCredential(credential) && !isBase64(credential.key)) {
      // The HMAC key is the base64-decoded access key; Node decodes invalid base64 silently into garbage.
      throw new TypeError("credential.key must be the base64 access key of the Communication Services resource");
    }
    const https = this.#endpoint.startsWith("https:");
    this.#connectionHint = options.connectionHint;
    const timeout = options.timeoutInMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout < 0) {
      throw new TypeError("timeoutInMs must be a number of milliseconds, 0 or more (0 turns the timeout off)");
    }
    this.#timeoutInMs = timeout;
    this.#timeoutHint = options.timeoutHint ?? "the client option `timeoutInMs`";
    this.#abortSignal = options.abortSignal;
    const retry = options.retryOptions ?? {};
    this.#rlc = getClient(this.#endpoint, {
      apiVersion: API_VERSION,
      // The core http client refuses http:// unless told otherwise; the endpoint's scheme is the user's choice.
      allowInsecureConnection: !https,
      retryOptions: retry,
      // Job Router never redirects; following one would resend signed or token-bearing requests elsewhere.
      redirectOptions: { maxRetries: 0 },
      userAgentOptions: { userAgentPrefix: options.userAgentPrefix ?? "pulumi-jobrouter" },
      httpClient: options.httpClient,
      ...(options.extraCaCertificates && options.extraCaCertificates.length > 0
        ? { tlsOptions: { ca: [...rootCertificates, ...options.extraCaCertificates] } }
        : {}),
    });
    this.#rlc.pipeline.addPolicy(throttledWithoutRetryAfterPolicy(retry), { phase: "Retry" });
    this.#rlc.pipeline.addPolicy(
      timeoutAsRetryableErrorPolicy(Math.min(MAX_TIMEOUT_RETRIES, retry.maxRetries ?? MAX_TIMEOUT_RETRIES)),
      { afterPhase: "Retry" },
    );
    const attempts = attemptPolicies(options.onRetry);
    this.#rlc.pipeline.addPolicy(attempts.outer, { phase: "Serialize" });
    this.#rlc.pipeline.addPolicy(attempts.inner, { afterPhase: "Retry" });
    // Sign phase runs after Retry, so every retry is signed afresh (new x-ms-date).
    this.#rlc.pipeline.addPolicy(
      createAuthPolicy(credential, https, options.allowInsecureConnection === true, options.credentialScopes),
      { phase: "Sign" },
    );
    // The key is read when an error is built (AzureKeyCredential can be rotated with update()).
    this.#secrets = () => (isKeyCredential(credential) ? [credential.key] : []);
  }

  #withHint(e: Error): Error {
    if (!(e instanceof JobRouterError)) return e;
    const hint = this.#connectionHint;
    const extra =
      hint === undefined
        ? undefined
        : typeof hint === "function"
          ? hint(e)
          : UNREACHABLE_CODES.includes(e.code)
            ? hint
            : undefined;
    if (extra !== undefined && extra !== "") e.message = `${e.message.replace(/\.?$/, ".")} ${extra}`;
    if (e.code === "ETIMEDOUT") {
      e.message =
        `${e.message.replace(/\.?$/, ".")} If the service is only slow, raise the per-attempt timeout (${this.#timeoutHint}); ` +
        "if it never answers, something at that address accepts connections but is not answering as a Job Router " +
        "(a wrong port, a proxy or firewall that holds connections, a stopped process).";
    }
    return e;
  }

  /** The client's timeout and abort signal on top of the call's own (the call's timeout wins). */
  #withDefaults(params: RequestParameters): RequestParameters {
    const out: RequestParameters = { ...params };
    if (out.timeout === undefined && this.#timeoutInMs > 0) out.timeout = this.#timeoutInMs;
    if (this.#abortSignal !== undefined) {
      out.abortSignal =
        out.abortSignal === undefined
          ? this.#abortSignal
          : AbortSignal.any([out.abortSignal as AbortSignal, this.#abortSignal]);
    }
    return out;
  }

  /** The endpoint origin, e.g. `https://contoso.communication.azure.com`. */
  get endpoint(): string {
    return this.#endpoint;
  }

  // ------------------------------------------------------------------ transport

  async #send<TPath extends string>(
    method: Method,
    template: TPath,
    args: PathParameters<TPath>,
    params: RequestParameters,
    ok: readonly number[],
  ): Promise<RawResult> {
    const label = describePath(template, args);
    let res: PathUncheckedResponse;
    try {
      const resource = this.#rlc.pathUnchecked(template, ...args);
      params = this.#withDefaults(params);
      switch (method) {
        case "GET":
          res = await resource.get(params);
          break;
        case "PATCH":
          res = await resource.patch(params);
          break;
        case "POST":
          res = await resource.post(params);
          break;
        case "DELETE":
          res = await resource.delete(params);
          break;
      }
    } catch (e) {
      throw this.#withHint(errorFromException(e, method, label, this.#secrets()));
    }
    const status = Number(res.status);
    const body: unknown = res.body;
    if (!ok.includes(status)) {
      const attemptsMade = Number(res.headers[ATTEMPTS_HEADER] ?? "1");
      const input = { method, path: label, status, body, secrets: this.#secrets(), attempts: attemptsMade };
      const headerCode = res.headers["x-ms-error-code"];
      throw this.#withHint(
        errorFromResponse(headerCode === undefined ? input : { ...input, errorCodeHeader: headerCode }),
      );
    }
    return { status, headers: res.headers, body };
  }

  #object(r: RawResult, what: string): Record<string, unknown> {
    if (!isRecord(r.body)) {
      throw new JobRouterError({
        statusCode: r.status,
        code: "InvalidResponse",
        message: `${what}: the service answered ${r.status} without a JSON object body`,
      });
    }
    return r.body;
  }

  #page<T>(r: RawResult, what: string): Page<T> {
    const body = this.#object(r, what);
    if (!Array.isArray(body.value)) {
      throw new JobRouterError({
        statusCode: r.status,
        code: "InvalidResponse",
        message: `${what}: the page has no "value" array`,
      });
    }
    const page: Page<T> = { value: body.value as T[] };
    if (typeof body.nextLink === "string") page.nextLink = body.nextLink;
    return page;
  }

  /** Stored objects carry the ETag in the body and the header; prefer the body, fall back to the header. */
  #withEtag<T>(r: RawResult, what: string): T {
    const body = this.#object(r, what);
    if (typeof body.etag !== "string" && r.headers.etag !== undefined) body.etag = r.headers.etag;
    return body as T;
  }

  static #opParams(opts: OperationOptions | undefined): RequestParameters {
    const p: RequestParameters = {};
    if (opts?.abortSignal) p.abortSignal = opts.abortSignal;
    if (opts?.timeoutInMs !== undefined) p.timeout = opts.timeoutInMs;
    return p;
  }

  /**
   * Follows a nextLink, relative (`/routing/queues?continuationToken=...`) or absolute. An absolute link to
   * another origin is refused: following it would send our signature or token to a third party. The
   * api-version policy adds `api-version` when the link lacks it.
   */
  async #followLink(link: string, opts: OperationOptions | undefined): Promise<RawResult> {
    let url: URL;
    try {
      url = new URL(link, `${this.#endpoint}/`);
    } catch {
      throw new JobRouterError({ code: "InvalidNextLink", message: "nextLink: not a valid URL" });
    }
    if (url.origin !== this.#endpoint) {
      throw new JobRouterError({
        code: "InvalidNextLink",
        message: "nextLink: points to another origin than the endpoint; refusing to send credentials there",
      });
    }
    const relative = `${url.pathname}${url.search}`;
    const label = url.pathname;
    let res: PathUncheckedResponse;
    try {
      res = await this.#rlc.pathUnchecked(relative).get(this.#withDefaults(JobRouterClient.#opParams(opts)));
    } catch (e) {
      throw this.#withHint(errorFromException(e, "GET", label, this.#secrets()));
    }
    const status = Number(res.status);
    if (status !== 200) {
      throw this.#withHint(
        errorFromResponse({ method: "GET", path: label, status, body: res.body, secrets: this.#secrets() }),
      );
    }
    return { status, headers: res.headers, body: res.body };
  }

  #upsertParams(patch: unknown, opts: UpsertOptions | undefined): RequestParameters {
    if (!isRecord(patch)) throw invalidArgument("patch must be an object (a JSON merge-patch document)");
    const headers: Record<string, string> = {};
    if (opts?.ifMatch !== undefined) headers["If-Match"] = quoteEtag(opts.ifMatch);
    if (opts?.ifUnmodifiedSince !== undefined) {
      if (!(opts.ifUnmodifiedSince instanceof Date) || Number.isNaN(opts.ifUnmodifiedSince.getTime())) {
        throw invalidArgument("ifUnmodifiedSince must be a valid Date");
      }
      headers["If-Unmodified-Since"] = opts.ifUnmodifiedSince.toUTCString();
    }
    return {
      ...JobRouterClient.#opParams(opts),
      headers,
      contentType: "application/merge-patch+json",
      body: patch,
    };
  }

  #upsertResult<T>(r: RawResult, what: string): UpsertResult<T> {
    const value = this.#withEtag<T & { etag?: string }>(r, what);
    const result: UpsertResult<T> = {
      value,
      etag: r.headers.etag ?? value.etag ?? "",
      created: r.status === 201,
    };
    if (r.headers["last-modified"] !== undefined) result.lastModified = r.headers["last-modified"];
    return result;
  }

  // ------------------------------------------------------------------ administration (generic)

  /**
   * Creates or updates (PATCH, `application/merge-patch+json`). `null` removes a field or a single map
   * entry (e.g. `{labels: {tier: null}}`); `undefined` fields are not sent and stay as they are.
   */
  async upsert<C extends AdminCollection>(
    collection: C,
    id: string,
    patch: MergePatch<AdminInputByCollection[C]>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<AdminOutputByCollection[C]>> {
    const c = checkCollection(collection);
    checkId("id", id);
    const r = await this.#send(
      "PATCH",
      `/routing/${c}/{id}` as const,
      [id],
      this.#upsertParams(patch, opts),
      [200, 201],
    );
    return this.#upsertResult<AdminOutputByCollection[C]>(r, `PATCH /routing/${c}/${id}`);
  }

  /** Reads one object; throws JobRouterError with statusCode 404 when it does not exist. */
  async get<C extends AdminCollection>(
    collection: C,
    id: string,
    opts?: OperationOptions,
  ): Promise<AdminOutputByCollection[C]> {
    const c = checkCollection(collection);
    checkId("id", id);
    const r = await this.#send("GET", `/routing/${c}/{id}` as const, [id], JobRouterClient.#opParams(opts), [200]);
    return this.#withEtag<AdminOutputByCollection[C]>(r, `GET /routing/${c}/${id}`);
  }

  /** Like get(), but resolves to undefined on 404. */
  async tryGet<C extends AdminCollection>(
    collection: C,
    id: string,
    opts?: OperationOptions,
  ): Promise<AdminOutputByCollection[C] | undefined> {
    try {
      return await this.get(collection, id, opts);
    } catch (e) {
      if (JobRouterError.hasStatus(e, 404)) return undefined;
      throw e;
    }
  }

  /**
   * Deletes one object. The service refuses to delete objects still referenced (400 for policies, 409 for
   * queues); those surface as JobRouterError with the service's codes in `details`/`message`.
   * Resolves to true when deleted, false when it was already gone and `ignoreNotFound` was set.
   */
  async delete(collection: AdminCollection, id: string, opts?: DeleteOptions): Promise<boolean> {
    const c = checkCollection(collection);
    checkId("id", id);
    return this.#delete(`/routing/${c}/{id}` as const, id, opts);
  }

  async #delete(template: `/routing/${string}/{id}`, id: string, opts: DeleteOptions | undefined): Promise<boolean> {
    try {
      await this.#send("DELETE", template, [id], JobRouterClient.#opParams(opts), [200, 204]);
      return true;
    } catch (e) {
      if (opts?.ignoreNotFound && JobRouterError.hasStatus(e, 404)) return false;
      throw e;
    }
  }

  /** Lists a collection across pages; `.byPage({maxPageSize})` for pages. */
  list<C extends AdminCollection>(
    collection: C,
    opts?: ListOptions,
  ): PagedAsyncIterableIterator<AdminOutputByCollection[C]> {
    const c = checkCollection(collection);
    return this.#list<AdminOutputByCollection[C]>(`/routing/${c}`, {}, opts);
  }

  #list<T>(path: string, query: Record<string, unknown>, opts: ListOptions | undefined): PagedAsyncIterableIterator<T> {
    return paginate<T>(
      {
        first: async (maxPageSize) => {
          const queryParameters: Record<string, unknown> = { ...query };
          if (maxPageSize !== undefined) {
            if (!Number.isInteger(maxPageSize) || maxPageSize < 1)
              throw invalidArgument("maxPageSize must be a positive integer");
            queryParameters.maxpagesize = maxPageSize;
          }
          const params = { ...JobRouterClient.#opParams(opts), queryParameters };
          const r = await this.#send("GET", path, [], params, [200]);
          return this.#page<T>(r, `GET ${path}`);
        },
        next: async (link) => this.#page<T>(await this.#followLink(link, opts), `GET ${link}`),
      },
      opts?.maxPageSize === undefined ? {} : { maxPageSize: opts.maxPageSize },
    );
  }

  // ------------------------------------------------------------------ administration (typed)

  upsertDistributionPolicy(
    id: string,
    patch: MergePatch<DistributionPolicyInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<DistributionPolicy>> {
    return this.upsert("distributionPolicies", id, patch, opts);
  }
  getDistributionPolicy(id: string, opts?: OperationOptions): Promise<DistributionPolicy> {
    return this.get("distributionPolicies", id, opts);
  }
  deleteDistributionPolicy(id: string, opts?: DeleteOptions): Promise<boolean> {
    return this.delete("distributionPolicies", id, opts);
  }
  listDistributionPolicies(opts?: ListOptions): PagedAsyncIterableIterator<DistributionPolicy> {
    return this.list("distributionPolicies", opts);
  }

  upsertQueue(
    id: string,
    patch: MergePatch<RouterQueueInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<RouterQueue>> {
    return this.upsert("queues", id, patch, opts);
  }
  getQueue(id: string, opts?: OperationOptions): Promise<RouterQueue> {
    return this.get("queues", id, opts);
  }
  deleteQueue(id: string, opts?: DeleteOptions): Promise<boolean> {
    return this.delete("queues", id, opts);
  }
  listQueues(opts?: ListOptions): PagedAsyncIterableIterator<RouterQueue> {
    return this.list("queues", opts);
  }

  upsertClassificationPolicy(
    id: string,
    patch: MergePatch<ClassificationPolicyInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<ClassificationPolicy>> {
    return this.upsert("classificationPolicies", id, patch, opts);
  }
  getClassificationPolicy(id: string, opts?: OperationOptions): Promise<ClassificationPolicy> {
    return this.get("classificationPolicies", id, opts);
  }
  deleteClassificationPolicy(id: string, opts?: DeleteOptions): Promise<boolean> {
    return this.delete("classificationPolicies", id, opts);
  }
  listClassificationPolicies(opts?: ListOptions): PagedAsyncIterableIterator<ClassificationPolicy> {
    return this.list("classificationPolicies", opts);
  }

  upsertExceptionPolicy(
    id: string,
    patch: MergePatch<ExceptionPolicyInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<ExceptionPolicy>> {
    return this.upsert("exceptionPolicies", id, patch, opts);
  }
  getExceptionPolicy(id: string, opts?: OperationOptions): Promise<ExceptionPolicy> {
    return this.get("exceptionPolicies", id, opts);
  }
  deleteExceptionPolicy(id: string, opts?: DeleteOptions): Promise<boolean> {
    return this.delete("exceptionPolicies", id, opts);
  }
  listExceptionPolicies(opts?: ListOptions): PagedAsyncIterableIterator<ExceptionPolicy> {
    return this.list("exceptionPolicies", opts);
  }

  /** GET /routing/queues/{queueId}/statistics */
  async getQueueStatistics(queueId: string, opts?: OperationOptions): Promise<RouterQueueStatistics> {
    checkId("queueId", queueId);
    const r = await this.#send(
      "GET",
      "/routing/queues/{queueId}/statistics",
      [queueId],
      JobRouterClient.#opParams(opts),
      [200],
    );
    return this.#object(r, "GET queue statistics") as unknown as RouterQueueStatistics;
  }

  // ------------------------------------------------------------------ jobs

  async upsertJob(
    jobId: string,
    patch: MergePatch<RouterJobInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<RouterJob>> {
    checkId("jobId", jobId);
    const r = await this.#send("PATCH", "/routing/jobs/{jobId}", [jobId], this.#upsertParams(patch, opts), [200, 201]);
    return this.#upsertResult<RouterJob>(r, "PATCH job");
  }

  async getJob(jobId: string, opts?: OperationOptions): Promise<RouterJob> {
    checkId("jobId", jobId);
    const r = await this.#send("GET", "/routing/jobs/{jobId}", [jobId], JobRouterClient.#opParams(opts), [200]);
    return this.#withEtag<RouterJob>(r, "GET job");
  }

  async tryGetJob(jobId: string, opts?: OperationOptions): Promise<RouterJob | undefined> {
    try {
      return await this.getJob(jobId, opts);
    } catch (e) {
      if (JobRouterError.hasStatus(e, 404)) return undefined;
      throw e;
    }
  }

  /** Lists jobs; filters map to the query (`status`, `queueId`, `channelId`, `classificationPolicyId`, `scheduledBefore`, `scheduledAfter`). */
  listJobs(opts: ListJobsOptions & OperationOptions = {}): PagedAsyncIterableIterator<RouterJob> {
    const query: Record<string, unknown> = {};
    if (opts.status !== undefined) query.status = opts.status;
    if (opts.queueId !== undefined) query.queueId = opts.queueId;
    if (opts.channelId !== undefined) query.channelId = opts.channelId;
    if (opts.classificationPolicyId !== undefined) query.classificationPolicyId = opts.classificationPolicyId;
    if (opts.scheduledBefore !== undefined) query.scheduledBefore = isoOrString(opts.scheduledBefore);
    if (opts.scheduledAfter !== undefined) query.scheduledAfter = isoOrString(opts.scheduledAfter);
    return this.#list<RouterJob>("/routing/jobs", query, opts);
  }

  async deleteJob(jobId: string, opts?: DeleteOptions): Promise<boolean> {
    checkId("jobId", jobId);
    return this.#delete("/routing/jobs/{id}", jobId, opts);
  }

  /** POST /routing/jobs/{jobId}:cancel */
  async cancelJob(jobId: string, opts: CancelJobOptions & OperationOptions = {}): Promise<void> {
    checkId("jobId", jobId);
    const body = actionBody({ note: opts.note, dispositionCode: opts.dispositionCode });
    await this.#send("POST", "/routing/jobs/{jobId}:cancel", [jobId], this.#actionParams(body, opts), [200]);
  }

  /** POST /routing/jobs/{jobId}/assignments/{assignmentId}:complete */
  async completeJob(
    jobId: string,
    assignmentId: string,
    opts: CompleteJobOptions & OperationOptions = {},
  ): Promise<void> {
    checkId("jobId", jobId);
    checkId("assignmentId", assignmentId);
    await this.#send(
      "POST",
      "/routing/jobs/{jobId}/assignments/{assignmentId}:complete",
      [jobId, assignmentId],
      this.#actionParams(actionBody({ note: opts.note }), opts),
      [200],
    );
  }

  /** POST /routing/jobs/{jobId}/assignments/{assignmentId}:close; with `closeAt` the close happens later. */
  async closeJob(jobId: string, assignmentId: string, opts: CloseJobOptions & OperationOptions = {}): Promise<void> {
    checkId("jobId", jobId);
    checkId("assignmentId", assignmentId);
    if (opts.closeAt instanceof Date && Number.isNaN(opts.closeAt.getTime())) {
      throw invalidArgument("closeAt must be a valid Date or an ISO 8601 date-time string");
    }
    const body = actionBody({ dispositionCode: opts.dispositionCode, closeAt: opts.closeAt, note: opts.note });
    await this.#send(
      "POST",
      "/routing/jobs/{jobId}/assignments/{assignmentId}:close",
      [jobId, assignmentId],
      this.#actionParams(body, opts),
      [200],
    );
  }

  /** POST /routing/jobs/{jobId}/assignments/{assignmentId}:unassign */
  async unassignJob(
    jobId: string,
    assignmentId: string,
    opts: UnassignJobOptions & OperationOptions = {},
  ): Promise<UnassignJobResult> {
    checkId("jobId", jobId);
    checkId("assignmentId", assignmentId);
    const r = await this.#send(
      "POST",
      "/routing/jobs/{jobId}/assignments/{assignmentId}:unassign",
      [jobId, assignmentId],
      this.#actionParams(actionBody({ suspendMatching: opts.suspendMatching }), opts),
      [200],
    );
    return this.#object(r, "unassign job") as unknown as UnassignJobResult;
  }

  /** POST /routing/jobs/{jobId}:reclassify */
  async reclassifyJob(jobId: string, opts?: OperationOptions): Promise<void> {
    checkId("jobId", jobId);
    await this.#send("POST", "/routing/jobs/{jobId}:reclassify", [jobId], this.#actionParams(undefined, opts), [200]);
  }

  /** GET /routing/jobs/{jobId}/position */
  async getQueuePosition(jobId: string, opts?: OperationOptions): Promise<RouterJobPositionDetails> {
    checkId("jobId", jobId);
    const r = await this.#send(
      "GET",
      "/routing/jobs/{jobId}/position",
      [jobId],
      JobRouterClient.#opParams(opts),
      [200],
    );
    return this.#object(r, "get queue position") as unknown as RouterJobPositionDetails;
  }

  #actionParams(body: unknown, opts: OperationOptions | undefined): RequestParameters {
    const p = JobRouterClient.#opParams(opts);
    if (body !== undefined) {
      p.body = body;
      p.contentType = "application/json";
    }
    return p;
  }

  // ------------------------------------------------------------------ workers and offers

  async upsertWorker(
    workerId: string,
    patch: MergePatch<RouterWorkerInput>,
    opts?: UpsertOptions,
  ): Promise<UpsertResult<RouterWorker>> {
    checkId("workerId", workerId);
    const r = await this.#send(
      "PATCH",
      "/routing/workers/{workerId}",
      [workerId],
      this.#upsertParams(patch, opts),
      [200, 201],
    );
    return this.#upsertResult<RouterWorker>(r, "PATCH worker");
  }

  async getWorker(workerId: string, opts?: OperationOptions): Promise<RouterWorker> {
    checkId("workerId", workerId);
    const r = await this.#send(
      "GET",
      "/routing/workers/{workerId}",
      [workerId],
      JobRouterClient.#opParams(opts),
      [200],
    );
    return this.#withEtag<RouterWorker>(r, "GET worker");
  }

  async tryGetWorker(workerId: string, opts?: OperationOptions): Promise<RouterWorker | undefined> {
    try {
      return await this.getWorker(workerId, opts);
    } catch (e) {
      if (JobRouterError.hasStatus(e, 404)) return undefined;
      throw e;
    }
  }

  /** Lists workers; filters map to the query (`state`, `channelId`, `queueId`, `hasCapacity`). */
  listWorkers(opts: ListWorkersOptions & OperationOptions = {}): PagedAsyncIterableIterator<RouterWorker> {
    const query: Record<string, unknown> = {};
    if (opts.state !== undefined) query.state = opts.state;
    if (opts.channelId !== undefined) query.channelId = opts.channelId;
    if (opts.queueId !== undefined) query.queueId = opts.queueId;
    if (opts.hasCapacity !== undefined) query.hasCapacity = opts.hasCapacity;
    return this.#list<RouterWorker>("/routing/workers", query, opts);
  }

  async deleteWorker(workerId: string, opts?: DeleteOptions): Promise<boolean> {
    checkId("workerId", workerId);
    return this.#delete("/routing/workers/{id}", workerId, opts);
  }

  /** POST /routing/workers/{workerId}/offers/{offerId}:accept; 409 if another worker took the job. */
  async acceptJobOffer(workerId: string, offerId: string, opts?: OperationOptions): Promise<AcceptJobOfferResult> {
    checkId("workerId", workerId);
    checkId("offerId", offerId);
    const r = await this.#send(
      "POST",
      "/routing/workers/{workerId}/offers/{offerId}:accept",
      [workerId, offerId],
      this.#actionParams(undefined, opts),
      [200],
    );
    return this.#object(r, "accept job offer") as unknown as AcceptJobOfferResult;
  }

  /** POST /routing/workers/{workerId}/offers/{offerId}:decline; `retryOfferAt` allows re-offering later. */
  async declineJobOffer(
    workerId: string,
    offerId: string,
    opts: DeclineJobOfferOptions & OperationOptions = {},
  ): Promise<void> {
    checkId("workerId", workerId);
    checkId("offerId", offerId);
    await this.#send(
      "POST",
      "/routing/workers/{workerId}/offers/{offerId}:decline",
      [workerId, offerId],
      this.#actionParams(actionBody({ retryOfferAt: opts.retryOfferAt }), opts),
      [200],
    );
  }
}
