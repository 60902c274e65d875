// Fault injection for reliability tests: answer a fraction of requests 429/503 with Retry-After, add
// latency, or destroy the socket without answering. Decisions come from a seeded PRNG so a given seed and
// request sequence always produce the same faults. Faults are decided before authentication, like a
// gateway or load balancer in front of the service would fail.

export interface FaultOptions {
  /** Fraction (0..1) of matching requests answered with an error status. */
  errorRate?: number;
  /** Which status to answer; "mixed" picks 429 or 503 at random (seeded). Default 503. */
  errorStatus?: 429 | 503 | "mixed";
  /** Retry-After header value in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** Fraction (0..1) of matching requests whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Added delay before every matching request is handled. */
  latencyMs?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Only requests whose path matches are subject to faults. */
  paths?: RegExp;
}

export type FaultDecision =
  | { kind: "none"; latencyMs: number }
  | { kind: "drop"; latencyMs: number }
  | { kind: "error"; status: 429 | 503; retryAfterSeconds: number; latencyMs: number };

/** mulberry32: small, fast and good enough for test fault schedules. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1))
    throw new RangeError(`faults.${name}: must be within 0..1 (got ${value})`);
}

export function validateFaults(f: FaultOptions): void {
  checkRate("errorRate", f.errorRate);
  checkRate("dropRate", f.dropRate);
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0))
    throw new RangeError(`faults.latencyMs: must be >= 0 (got ${f.latencyMs})`);
  if (f.retryAfterSeconds !== undefined && !(f.retryAfterSeconds >= 0)) {
    throw new RangeError(`faults.retryAfterSeconds: must be >= 0 (got ${f.retryAfterSeconds})`);
  }
  if (f.errorStatus !== undefined && f.errorStatus !== 429 && f.errorStatus !== 503 && f.errorStatus !== "mixed") {
    throw new RangeError(`faults.errorStatus: must be 429, 503 or "mixed"`);
  }
}

export class FaultInjector {
  private options: FaultOptions | undefined;
  private random: () => number = mulberry32(1);

  constructor(options?: FaultOptions) {
    this.set(options);
  }

  /** Replace the fault options (undefined switches faults off) and restart the PRNG from the seed. */
  set(options: FaultOptions | undefined): void {
    if (options) validateFaults(options);
    this.options = options ? { ...options } : undefined;
    // A /g or /y RegExp keeps state between test() calls; match with a stateless copy.
    if (this.options?.paths && (this.options.paths.global || this.options.paths.sticky)) {
      this.options.paths = new RegExp(this.options.paths.source, this.options.paths.flags.replace(/[gy]/g, ""));
    }
    this.random = mulberry32(options?.seed ?? 1);
  }

  get current(): FaultOptions | undefined {
    return this.options ? { ...this.options } : undefined;
  }

  decide(path: string): FaultDecision {
    const f = this.options;
    if (!f || (f.paths && !f.paths.test(path))) return { kind: "none", latencyMs: 0 };
    const latencyMs = f.latencyMs ?? 0;
    // Always draw three numbers so one request's decision never shifts the schedule of the next.
    const dropDraw = this.random();
    const errorDraw = this.random();
    const statusDraw = this.random();
    if (dropDraw < (f.dropRate ?? 0)) return { kind: "drop", latencyMs };
    if (errorDraw < (f.errorRate ?? 0)) {
      const configured = f.errorStatus ?? 503;
      const status = configured === "mixed" ? (statusDraw < 0.5 ? 429 : 503) : configured;
      return { kind: "error", status, retryAfterSeconds: f.retryAfterSeconds ?? 1, latencyMs };
    }
    return { kind: "none", latencyMs };
  }
}
