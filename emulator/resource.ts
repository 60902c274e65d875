// Helpers shared by every resource family (admin now, jobs and workers in the runtime): preconditions,
// paging, and the response of a single stored object.

import type { EmulatorRequest, EmulatorResponse, JsonObject } from "./http";
import type { ErrorFactory } from "./errors";
import { httpDate } from "./etag";
import type { StoredRecord } from "./store";

/** The object as the service returns it: `id` first, `etag` last (recorded field order). */
export function wireBody(record: StoredRecord): JsonObject {
  return { id: record.id, ...record.body, etag: record.etag };
}

/** 200/201 with the object, ETag and Last-Modified, as GET and PATCH answer. [rec] */
export function objectResponse(record: StoredRecord, status = 200): EmulatorResponse {
  return {
    status,
    headers: { ETag: record.etag, "Last-Modified": httpDate(new Date(record.lastModified)) },
    body: wireBody(record),
  };
}

function stripWeak(tag: string): string {
  return tag.trim().replace(/^W\//, "");
}

/**
 * If-Match / If-Unmodified-Since on an upsert. [spec] declares both on PATCH; the 412 answer is
 * [guess: HTTP semantics, never recorded]. `If-Match: *` requires the object to exist.
 * Returns an error response, or undefined when the request may proceed.
 */
export function checkPreconditions(
  req: EmulatorRequest,
  existing: StoredRecord | undefined,
  errors: ErrorFactory,
): EmulatorResponse | undefined {
  const ifMatch = req.headers["if-match"];
  if (ifMatch !== undefined) {
    const tags = ifMatch
      .split(",")
      .map(stripWeak)
      .filter((t) => t !== "");
    const ok = existing !== undefined && (tags.includes("*") || tags.includes(stripWeak(existing.etag)));
    if (!ok) return errors.preconditionFailed(req.path);
  }
  const ifUnmodifiedSince = req.headers["if-unmodified-since"];
  if (ifUnmodifiedSince !== undefined && existing !== undefined) {
    const limit = Date.parse(ifUnmodifiedSince);
    // An unparsable date is ignored, as RFC 9110 §13.1.4 says.
    if (!Number.isNaN(limit) && Date.parse(existing.lastModified) > limit) return errors.preconditionFailed(req.path);
  }
  return undefined;
}

/** [guess: the service's default and maximum page sizes are unknown] */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  maxPageSize: number;
  /** Only records with seq greater than this are listed. */
  afterSeq: number;
}

function encodeToken(seq: number): string {
  return Buffer.from(`seq:${seq}`, "utf8").toString("base64url");
}

function decodeToken(token: string): number | undefined {
  const m = /^seq:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return m && m[1] !== undefined ? Number(m[1]) : undefined;
}

/** Parse `maxpagesize` and `continuationToken`; returns an error response on bad values. */
export function parsePageRequest(req: EmulatorRequest, errors: ErrorFactory): PageRequest | EmulatorResponse {
  let maxPageSize = DEFAULT_PAGE_SIZE;
  const raw = req.query["maxpagesize"];
  if (raw !== undefined) {
    const n = Number(raw);
    // [spec] int32; [guess] the service refuses values below 1 with 400
    if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > 2147483647) {
      return errors.badRequest(req.path, [
        { code: "InvalidQueryParameter", message: `maxpagesize: must be an integer >= 1 (got ${JSON.stringify(raw)})` },
      ]);
    }
    maxPageSize = Math.min(n, MAX_PAGE_SIZE);
  }
  let afterSeq = 0;
  const token = req.query["continuationToken"];
  if (token !== undefined) {
    const seq = decodeToken(token);
    if (seq === undefined) {
      return errors.badRequest(req.path, [
        { code: "InvalidContinuationToken", message: "continuationToken: is not a token this server issued" },
      ]);
    }
    afterSeq = seq;
  }
  return { maxPageSize, afterSeq };
}

/**
 * One page of `records` (already in insertion order). `nextLink` is relative, like the spec's queue
 * example (`/routing/queues?continuationToken=...`) [ex], carries maxpagesize and api-version so it
 * works as-is, and is absent (not null) on the last page [rec].
 * The token is keyset-based (the last seq returned), so deletions between pages never skip items.
 */
export function pageOf(
  req: EmulatorRequest,
  records: StoredRecord[],
  page: PageRequest,
  toWire: (r: StoredRecord) => unknown = wireBody,
): EmulatorResponse {
  const remaining = records.filter((r) => r.seq > page.afterSeq);
  const items = remaining.slice(0, page.maxPageSize);
  const body: { value: unknown[]; nextLink?: string } = { value: items.map(toWire) };
  const last = items[items.length - 1];
  if (remaining.length > items.length && last) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) {
      if (k !== "continuationToken" && k !== "maxpagesize" && k !== "api-version") params.set(k, v);
    }
    params.set("continuationToken", encodeToken(last.seq));
    params.set("maxpagesize", String(page.maxPageSize));
    params.set("api-version", req.query["api-version"] ?? "");
    body.nextLink = `${req.path}?${params.toString()}`;
  }
  return { status: 200, body };
}
