// Request authentication as the ACS gateway does it (facts §9.1):
//   stringToSign = VERB "\n" pathAndQuery "\n" x-ms-date ";" host ";" x-ms-content-sha256
//   signature    = base64(HMAC-SHA256(base64decode(accessKey), stringToSign))
//   Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<signature>
// Clients differ in how they build `pathAndQuery` and `host`, so several candidate strings are tried:
// - the path and query exactly as received (Python, .NET), and re-encoded through URLSearchParams (JS);
// - with a trailing "?" on an empty query (older JS signers always appended it);
// - the Host header as received, with the port doubled (older JS: `url.host + ":" + url.port`), and with a
//   doubled port undone (older JS also sent the doubled value as the Host header);
// - the scheme's default port (443 for https, 80 for http) both added and left out: a client may sign `url.host`
//   (which omits it) or the authority with an explicit port, and send the other in the Host header.
// Bearer tokens (Entra ID) cannot be verified offline: they are accepted, unverified, only when allowed.

import * as crypto from "node:crypto";
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

/** The clock skew the emulator tolerates on x-ms-date. [guess: the real tolerance is unknown; 15 min is the common Azure value] */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
export const SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256";

export type AuthKind = "hmac" | "bearer" | "none" | "invalid";

export interface AuthInput {
  method: string;
  /** The request target exactly as received (path and query). */
  rawUrl: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The scheme the request came in on (decides the default port); http when absent. */
  scheme?: "http" | "https";
  accessKey: string;
  allowBearer: boolean;
  /** With allowBearer: accept only these tokens (a test that hands them out itself); any token when absent. */
  bearerTokens?: readonly string[];
  now: Date;
  /** Allowed |now - x-ms-date|; default MAX_CLOCK_SKEW_MS. */
  maxClockSkewMs?: number;
}

export type AuthResult =
  { ok: true; kind: "hmac" | "bearer" } | { ok: false; kind: "none" | "invalid"; message: string };

/** crypto.hash (Node 21.7+): the one-shot digest, without a Hash object per request. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Buffer | string, encoding: "base64") => string })
  .hash;

export function contentHash(body: Buffer | string): string {
  if (oneShotHash) return oneShotHash("sha256", body, "base64");
  return createHash("sha256").update(body).digest("base64");
}

/** Decoded keys by access key: decoding and wrapping the key cost more than the HMAC itself on every request. */
const keyObjects = new Map<string, KeyObject>();

export function sign(accessKey: string, stringToSign: string): string {
  let key = keyObjects.get(accessKey);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(accessKey, "base64"));
    if (keyObjects.size >= 16) keyObjects.clear(); // a handful of keys per process; never grow without bound
    keyObjects.set(accessKey, key);
  }
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("base64");
}

function pathAndQueryCandidates(rawUrl: string): string[] {
  const out = new Set<string>([rawUrl]);
  const url = new URL(rawUrl, "http://emulator.invalid");
  const query = url.searchParams.toString();
  out.add(query ? `${url.pathname}?${query}` : url.pathname);
  if (!query) {
    out.add(`${url.pathname}?`);
    out.add(rawUrl.endsWith("?") ? rawUrl.slice(0, -1) : `${rawUrl}?`);
  }
  return [...out];
}

function hostCandidates(host: string, scheme: "http" | "https"): string[] {
  const out = new Set<string>([host]);
  const defaultPort = scheme === "https" ? "443" : "80";
  const portless = /^(\[[^\]]*\]|[^:]*)$/.test(host);
  if (portless) out.add(`${host}:${defaultPort}`);
  else if (host.endsWith(`:${defaultPort}`) && /^(\[[^\]]*\]|[^:]*):\d+$/.test(host))
    out.add(host.slice(0, -(defaultPort.length + 1)));
  const doubled = /^(.*):(\d+):(\d+)$/.exec(host);
  if (doubled && doubled[2] === doubled[3]) out.add(`${doubled[1]}:${doubled[2]}`);
  const single = /^(.*?):(\d+)$/.exec(host);
  if (single && !doubled) out.add(`${host}:${single[2]}`);
  return [...out];
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function authenticate(input: AuthInput): AuthResult {
  const authorization = input.headers["authorization"];
  if (!authorization) return { ok: false, kind: "none", message: "Authorization header is missing." };

  if (/^bearer\s+/i.test(authorization)) {
    if (!input.allowBearer) {
      return {
        ok: false,
        kind: "invalid",
        message: "Bearer tokens are not accepted (start the emulator with --allow-bearer to accept them unverified).",
      };
    }
    const token = authorization.replace(/^bearer\s+/i, "").trim();
    if (!token) return { ok: false, kind: "invalid", message: "The bearer token is empty." };
    if (input.bearerTokens !== undefined && !input.bearerTokens.some((t) => safeEqual(t, token))) {
      return {
        ok: false,
        kind: "invalid",
        message: "The token is not one this emulator was told to accept (bearerTokens).",
      };
    }
    return { ok: true, kind: "bearer" };
  }

  const match = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/i.exec(authorization.trim());
  if (!match || match[1] === undefined || match[2] === undefined) {
    return { ok: false, kind: "invalid", message: "Authorization header is not a valid HMAC-SHA256 header." };
  }
  if (match[1].toLowerCase() !== SIGNED_HEADERS) {
    return { ok: false, kind: "invalid", message: `SignedHeaders must be ${SIGNED_HEADERS}.` };
  }
  const date = input.headers["x-ms-date"];
  if (!date) return { ok: false, kind: "invalid", message: "The x-ms-date header is missing." };
  const signedAt = Date.parse(date);
  if (Number.isNaN(signedAt))
    return { ok: false, kind: "invalid", message: "The x-ms-date header is not a valid date." };
  const skew = input.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS;
  if (Math.abs(input.now.getTime() - signedAt) > skew) {
    const limit = skew === MAX_CLOCK_SKEW_MS ? "15 minutes" : `${skew} ms`;
    return {
      ok: false,
      kind: "invalid",
      message: `The x-ms-date header is outside the allowed clock skew of ${limit}.`,
    };
  }
  const hash = input.headers["x-ms-content-sha256"];
  if (!hash) return { ok: false, kind: "invalid", message: "The x-ms-content-sha256 header is missing." };
  if (!safeEqual(hash, contentHash(input.rawBody))) {
    return {
      ok: false,
      kind: "invalid",
      message: "Request 'x-ms-content-sha256' differs from generated content hash.",
    };
  }
  const host = input.headers["host"] ?? "";
  const given = match[2];
  const verb = input.method.toUpperCase();
  const matches = (pathAndQuery: string, h: string): boolean =>
    safeEqual(given, sign(input.accessKey, `${verb}\n${pathAndQuery}\n${date};${h};${hash}`));
  // The target and Host exactly as received come first among the candidates and are what most clients sign: one
  // HMAC, without parsing the URL. The other candidates are tried only when it fails.
  if (matches(input.rawUrl, host)) return { ok: true, kind: "hmac" };
  for (const pathAndQuery of pathAndQueryCandidates(input.rawUrl)) {
    for (const h of hostCandidates(host, input.scheme ?? "http")) {
      if (pathAndQuery === input.rawUrl && h === host) continue;
      if (matches(pathAndQuery, h)) return { ok: true, kind: "hmac" };
    }
  }
  return { ok: false, kind: "invalid", message: "HMAC-SHA256 signature validation failed." };
}

/** Sign a request the way the JS SDK does (used by tests and tools that do not go through the SDK). */
export function signRequest(options: {
  method: string;
  url: string;
  body?: string;
  accessKey: string;
  date?: Date;
}): Record<string, string> {
  const url = new URL(options.url);
  const query = url.searchParams.toString();
  const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
  const date = (options.date ?? new Date()).toUTCString();
  const hash = contentHash(options.body ?? "");
  const signature = sign(
    options.accessKey,
    `${options.method.toUpperCase()}\n${pathAndQuery}\n${date};${url.host};${hash}`,
  );
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    authorization: `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}&Signature=${signature}`,
  };
}
