// ETags in the service's formats (facts §3, recordings):
// - admin objects: Cosmos-style `"ad00a972-0000-0700-0000-65540b3e0000"` (a counter, then the Unix time in hex);
// - jobs and workers: `"00000006-0000-0000-2f6e-d08a6ee5db08"` (a version counter first).
// Always quoted; the body's `etag` holds the same quoted string.

import { randomBytes } from "node:crypto";

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, "0").slice(-width);
}

export class EtagFactory {
  private counter = randomBytes(4).readUInt32BE(0);

  /** A fresh Cosmos-style ETag for an admin object. */
  admin(now: Date): string {
    this.counter = (this.counter + 1) >>> 0;
    return `"${hex(this.counter, 8)}-0000-0700-0000-${hex(Math.floor(now.getTime() / 1000), 8)}0000"`;
  }

  /** A version-counter ETag as jobs and workers carry; `suffix` stays stable for one object. */
  versioned(version: number, suffix: string): string {
    return `"${hex(version, 8)}-0000-0000-${suffix}"`;
  }

  /** Random bytes drawn 4 KiB at a time: one randomBytes call per new job cost more than the rest of its ETag. */
  private pool = Buffer.alloc(0);
  private poolOffset = 0;

  /** A stable random suffix for `versioned` ("2f6e-d08a6ee5db08"). */
  newSuffix(): string {
    if (this.poolOffset + 8 > this.pool.length) {
      this.pool = randomBytes(4096);
      this.poolOffset = 0;
    }
    const b = this.pool.toString("hex", this.poolOffset, this.poolOffset + 8);
    this.poolOffset += 8;
    return `${b.slice(0, 4)}-${b.slice(4, 16)}`;
  }
}

/** RFC 1123 with one-second resolution, as in Last-Modified. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** The last second formatted by secondResolution: the routing engine stamps every write, many in one second. */
let lastSecond = Number.NaN;
let lastSecondIso = "";

/** ISO timestamp truncated to whole seconds (Last-Modified cannot say more). */
export function secondResolution(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecondIso = new Date(second * 1000).toISOString();
    lastSecond = second;
  }
  return lastSecondIso;
}
