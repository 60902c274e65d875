// Fault injection: seeded and deterministic, switchable at run time, limited to matching paths.

import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { FaultInjector } from "../../emulator/faults";
import { SdkClient } from "../fixtures/emulator/harness";

const Q = "api-version=2023-11-01";

function schedule(seed: number, n: number): string[] {
  const f = new FaultInjector({ errorRate: 0.3, dropRate: 0.1, errorStatus: "mixed", seed });
  return Array.from({ length: n }, () => {
    const d = f.decide("/routing/queues");
    return d.kind === "error" ? String(d.status) : d.kind;
  });
}

describe("FaultInjector", () => {
  it("gives the same schedule for the same seed and a different one for another seed", () => {
    const a = schedule(7, 200);
    expect(schedule(7, 200)).toEqual(a);
    expect(schedule(8, 200)).not.toEqual(a);
    // The rates are honoured roughly (200 draws; generous bounds, the schedule itself is fixed by the seed).
    const drops = a.filter((x) => x === "drop").length;
    const errors = a.filter((x) => x === "429" || x === "503").length;
    expect(drops).toBeGreaterThan(5);
    expect(drops).toBeLessThan(40);
    expect(errors).toBeGreaterThan(30);
    expect(errors).toBeLessThan(90);
    expect(a).toContain("429");
    expect(a).toContain("503");
  });

  it("restarts the schedule when the options are set again, and stops when cleared", () => {
    const f = new FaultInjector({ errorRate: 0.5, seed: 3 });
    const first = Array.from({ length: 20 }, () => f.decide("/x").kind);
    f.set({ errorRate: 0.5, seed: 3 });
    expect(Array.from({ length: 20 }, () => f.decide("/x").kind)).toEqual(first);
    f.set(undefined);
    expect(Array.from({ length: 20 }, () => f.decide("/x").kind).every((k) => k === "none")).toBe(true);
  });

  it("only touches matching paths and refuses nonsense rates", () => {
    const f = new FaultInjector({ errorRate: 1, paths: /^\/routing\/queues/ });
    expect(f.decide("/routing/queues/q").kind).toBe("error");
    expect(f.decide("/routing/distributionPolicies/d").kind).toBe("none");
    // A global RegExp must not alternate between matching and not matching.
    f.set({ errorRate: 1, paths: /queues/g });
    expect([1, 2, 3].map(() => f.decide("/routing/queues/q").kind)).toEqual(["error", "error", "error"]);
    expect(() => f.set({ errorRate: 2 })).toThrow("faults.errorRate: must be within 0..1 (got 2)");
    expect(() => f.set({ latencyMs: -1 })).toThrow(/faults.latencyMs/);
  });
});

describe("emulator faults over HTTP", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("answers 503 with Retry-After in the service envelope, and 429 when asked", async () => {
    emu = await startEmulator({ faults: { errorRate: 1, errorStatus: 503, retryAfterSeconds: 7 } });
    const c = new SdkClient(emu.endpoint, emu.accessKey);
    const r = await c.send("GET", `/routing/queues?${Q}`);
    expect(r.status).toBe(503);
    expect(r.headers["retry-after"]).toBe("7");
    expect(r.body).toMatchObject({ communicationError: { code: "ServiceUnavailable", target: "/routing/queues" } });
    emu.setFaults({ errorRate: 1, errorStatus: 429, retryAfterSeconds: 2 });
    const t = await c.send("GET", `/routing/queues?${Q}`);
    expect(t.status).toBe(429);
    expect(t.headers["retry-after"]).toBe("2");
    expect(emu.requests.map((x) => [x.status, x.fault])).toEqual([
      [503, "error-503"],
      [429, "error-429"],
    ]);
    emu.setFaults(undefined);
    expect((await c.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
  });

  it("drops the connection without an answer (the client sees a socket error) and logs status 0", async () => {
    emu = await startEmulator({ faults: { dropRate: 1 } });
    const c = new SdkClient(emu.endpoint, emu.accessKey);
    await expect(c.send("GET", `/routing/queues?${Q}`)).rejects.toThrow();
    expect(emu.requests[0]).toMatchObject({ status: 0, fault: "drop", path: "/routing/queues" });
    // A faulted PATCH never reaches the store.
    emu.setFaults({ dropRate: 1 });
    await expect(c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, { body: "{}" })).rejects.toThrow();
    expect(emu.store.get("exceptionPolicies", "e")).toBeUndefined();
  });

  it("replays the same fault sequence for the same seed across emulator instances", async () => {
    const run = async (): Promise<number[]> => {
      const e = await startEmulator({ faults: { errorRate: 0.5, errorStatus: "mixed", seed: 42 } });
      const c = new SdkClient(e.endpoint, e.accessKey);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await c.send("GET", `/routing/queues?${Q}`)).status);
      await e.close();
      return statuses;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it("adds latency and records it in the log; only on matching paths", async () => {
    emu = await startEmulator({ faults: { latencyMs: 5, paths: /^\/routing\/queues/ } });
    const c = new SdkClient(emu.endpoint, emu.accessKey);
    expect((await c.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
    expect((await c.send("GET", `/routing/exceptionPolicies?${Q}`)).status).toBe(200);
    expect(emu.requests.map((r) => r.fault)).toEqual(["latency-5ms", undefined]);
  });
});
