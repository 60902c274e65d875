// Request pipeline after transport concerns (faults, auth) are settled: path and api-version checks,
// body parsing, then the handlers in order: runtime extension, administration, unsupported route.

import type { ErrorFactory } from "./errors";
import type { EmulatorRequest, EmulatorResponse, JsonValue } from "./http";

/** The only api-version this emulator speaks. [spec] */
export const SUPPORTED_API_VERSIONS = ["2023-11-01"] as const;
/** What the real service advertises in `api-supported-versions` on every response. [rec] */
export const ADVERTISED_API_VERSIONS = "2021-04-07-preview1, 2022-07-18-preview, 2023-08-25-preview, 2023-11-01";

export interface Handler {
  handle(req: EmulatorRequest): Promise<EmulatorResponse | undefined>;
}

export interface RawRequest {
  method: string;
  rawUrl: string;
  headers: Record<string, string>;
  rawBody: string;
  now: Date;
  /** `rawUrl` already parsed against http://emulator.invalid (the server has it): saves parsing it again. */
  url?: URL;
}

export function parseRequest(raw: RawRequest): EmulatorRequest {
  const url = raw.url ?? new URL(raw.rawUrl, "http://emulator.invalid");
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  // `path` stays as received (percent-encoded): it is the `target` of error bodies. [rec]
  const path = url.pathname;
  return {
    method: raw.method.toUpperCase(),
    path,
    segments: segmentsOf(path),
    query,
    headers: raw.headers,
    rawBody: raw.rawBody,
    body: undefined,
    now: raw.now,
  };
}

/** Segment-level decoding: `/routing/queues/a%2Fb` is the id "a/b", so split before decoding. */
export function routeSegments(rawUrl: string): string[] {
  return segmentsOf(new URL(rawUrl, "http://emulator.invalid").pathname);
}

function segmentsOf(pathname: string): string[] {
  if (!pathname.startsWith("/routing/")) return [];
  return pathname
    .slice("/routing/".length)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      if (!s.includes("%")) return s;
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export async function route(
  raw: RawRequest,
  handlers: readonly Handler[],
  errors: ErrorFactory,
): Promise<{ request: EmulatorRequest; response: EmulatorResponse }> {
  const request = parseRequest(raw);
  const target = request.path;
  if (!target.startsWith("/routing/") || request.segments.length === 0) {
    return { request, response: errors.unsupportedRoute(target, request.method) };
  }
  const version = request.query["api-version"];
  if (version === undefined || !(SUPPORTED_API_VERSIONS as readonly string[]).includes(version)) {
    // [spec] api-version is required; [guess] 400 with ASP.NET API-versioning codes in the service's envelope
    return { request, response: errors.apiVersion(target, version, SUPPORTED_API_VERSIONS) };
  }
  if (raw.rawBody.trim() !== "") {
    try {
      request.body = JSON.parse(raw.rawBody) as JsonValue;
    } catch (e) {
      return {
        request,
        response: errors.invalidBody(target, `The request body is not valid JSON (${(e as Error).message}).`),
      };
    }
  }
  for (const handler of handlers) {
    const response = await handler.handle(request);
    if (response) return { request, response };
  }
  return { request, response: errors.unsupportedRoute(target, request.method) };
}
