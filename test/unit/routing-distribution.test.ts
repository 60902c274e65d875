import { describe, expect, it } from "vitest";
import type { BestWorkerMode, DistributionMode } from "../../provider/client/models";
import {
  capacityCostFor,
  defaultScore,
  eligibleWorkers,
  firstLongestIdle,
  loadRatio,
  offersToIssue,
  orderLongestIdle,
  orderWorkers,
  selectWorkersForOffer,
  type CandidateWorker,
  type MatchableJob,
  type OrderingDeps,
} from "../../routing/distribution";
import type { HttpCaller } from "../../routing/rules";

const now = Date.parse("2024-01-01T00:00:00Z");
const noHttp: HttpCaller = () => Promise.reject(new Error("no network"));
const deps = (extra: Partial<OrderingDeps> = {}): OrderingDeps => ({ http: noHttp, now: () => now, ...extra });

function worker(id: string, extra: Partial<CandidateWorker> = {}): CandidateWorker {
  return {
    id,
    labels: { Id: id },
    queues: ["q"],
    capacity: 10,
    channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
    available: true,
    usage: [],
    idleSinceMs: now - 1000,
    declinedUntil: new Map(),
    ...extra,
  };
}
const job: MatchableJob = { id: "j1", channelId: "chat", queueId: "q", labels: { Lang: "en" }, activeSelectors: [] };
const ids = (xs: Array<{ worker: { id: string } }>): string[] => xs.map((x) => x.worker.id);

describe("eligibility", () => {
  it("excludes unavailable workers, other queues, other channels", () => {
    const ws = [
      worker("ok"),
      worker("off", { available: false }),
      worker("other-q", { queues: ["x"] }),
      worker("voice", { channels: [{ channelId: "voice", capacityCostPerJob: 1 }] }),
    ];
    expect(ids(eligibleWorkers(job, ws, { nowMs: now }))).toEqual(["ok"]);
  });

  it("respects capacity: assignments and outstanding offers both hold capacity", () => {
    const full = worker("full", {
      capacity: 2,
      usage: [
        { kind: "assignment", jobId: "a", channelId: "chat", capacityCost: 1 },
        { kind: "offer", jobId: "b", channelId: "chat", capacityCost: 1 },
      ],
    });
    expect(capacityCostFor(full, "chat")).toBeUndefined();
    expect(capacityCostFor(worker("w", { capacity: 2 }), "chat")).toBe(1);
  });

  it("respects a channel's maxNumberOfJobs", () => {
    const w = worker("w", {
      channels: [{ channelId: "chat", capacityCostPerJob: 1, maxNumberOfJobs: 1 }],
      usage: [{ kind: "assignment", jobId: "a", channelId: "chat", capacityCost: 1 }],
    });
    expect(capacityCostFor(w, "chat")).toBeUndefined();
  });

  it("uses the channel's capacityCostPerJob", () => {
    const w = worker("w", {
      capacity: 100,
      channels: [{ channelId: "chat", capacityCostPerJob: 40 }],
      usage: [{ kind: "assignment", jobId: "a", channelId: "chat", capacityCost: 40 }],
    });
    expect(capacityCostFor(w, "chat")).toBe(40);
    expect(
      capacityCostFor(
        { ...w, usage: [...w.usage, { kind: "assignment", jobId: "b", channelId: "chat", capacityCost: 40 }] },
        "chat",
      ),
    ).toBeUndefined();
  });

  it("requires every active worker selector unless bypassSelectors", () => {
    const j = { ...job, activeSelectors: [{ key: "English", labelOperator: "greaterThanOrEqual" as const, value: 7 }] };
    const ws = [worker("a", { labels: { English: 10 } }), worker("b", { labels: { English: 5 } })];
    expect(ids(eligibleWorkers(j, ws, { nowMs: now }))).toEqual(["a"]);
    expect(ids(eligibleWorkers(j, ws, { nowMs: now, bypassSelectors: true }))).toEqual(["a", "b"]);
  });

  it("skips a worker that declined until its retry time", () => {
    const w = worker("w", { declinedUntil: new Map([["j1", now + 5000]]) });
    expect(eligibleWorkers(job, [w], { nowMs: now })).toHaveLength(0);
    expect(eligibleWorkers(job, [w], { nowMs: now + 5000 })).toHaveLength(1);
    const never = worker("n", { declinedUntil: new Map([["j1", Number.POSITIVE_INFINITY]]) });
    expect(eligibleWorkers(job, [never], { nowMs: now + 1e12 })).toHaveLength(0);
  });
});

describe("modes", () => {
  it("longestIdle orders by load ratio, then by idle time", async () => {
    const ws = [
      worker("A", {
        capacity: 5,
        usage: [1, 2, 3].map((n) => ({
          kind: "assignment" as const,
          jobId: `a${n}`,
          channelId: "chat",
          capacityCost: 1,
        })),
        idleSinceMs: now - 5 * 60_000,
      }),
      worker("B", {
        capacity: 4,
        usage: [1, 2, 3].map((n) => ({
          kind: "assignment" as const,
          jobId: `b${n}`,
          channelId: "chat",
          capacityCost: 1,
        })),
        idleSinceMs: now - 3 * 60_000,
      }),
      worker("C", {
        capacity: 5,
        usage: [1, 2, 3].map((n) => ({
          kind: "assignment" as const,
          jobId: `c${n}`,
          channelId: "chat",
          capacityCost: 1,
        })),
        idleSinceMs: now - 7 * 60_000,
      }),
      worker("D", { capacity: 3, idleSinceMs: now - 2 * 60_000 }),
    ];
    expect(loadRatio(ws[1] as CandidateWorker)).toBe(0.75);
    const ordered = await orderWorkers(job, eligibleWorkers(job, ws, { nowMs: now }), { kind: "longestIdle" }, deps());
    expect(ids(ordered)).toEqual(["D", "C", "A", "B"]);
  });

  it("roundRobin goes by worker id after the cursor, wrapping around", async () => {
    const ws = [worker("w3"), worker("w1"), worker("w2")];
    const el = eligibleWorkers(job, ws, { nowMs: now });
    expect(ids(await orderWorkers(job, el, { kind: "roundRobin" }, deps()))).toEqual(["w1", "w2", "w3"]);
    expect(ids(await orderWorkers(job, el, { kind: "roundRobin" }, deps({ roundRobinCursor: "w1" })))).toEqual([
      "w2",
      "w3",
      "w1",
    ]);
    expect(ids(await orderWorkers(job, el, { kind: "roundRobin" }, deps({ roundRobinCursor: "w3" })))).toEqual([
      "w1",
      "w2",
      "w3",
    ]);
  });

  it("bestWorker with the default score prefers more matching labels", async () => {
    const ws = [worker("plain"), worker("match", { labels: { Lang: "en" } })];
    expect(defaultScore(job, ws[1] as CandidateWorker)).toBeGreaterThan(defaultScore(job, ws[0] as CandidateWorker));
    const ordered = await orderWorkers(job, eligibleWorkers(job, ws, { nowMs: now }), { kind: "bestWorker" }, deps());
    expect(ids(ordered)).toEqual(["match", "plain"]);
  });

  it("bestWorker with an expression scoring rule, highest first", async () => {
    const ws = [
      worker("a", { labels: { Skill: 3 } }),
      worker("b", { labels: { Skill: 9 } }),
      worker("c", { labels: { Skill: 5 } }),
    ];
    const mode: BestWorkerMode = {
      kind: "bestWorker",
      scoringRule: { kind: "expression", expression: "worker.Skill * 2" },
    };
    expect(ids(await orderWorkers(job, eligibleWorkers(job, ws, { nowMs: now }), mode, deps()))).toEqual([
      "b",
      "c",
      "a",
    ]);
  });

  it("bestWorker with descendingOrder false puts the lowest score first", async () => {
    const ws = [worker("a", { labels: { Skill: 3 } }), worker("b", { labels: { Skill: 9 } })];
    const mode: BestWorkerMode = {
      kind: "bestWorker",
      scoringRule: { kind: "expression", expression: "worker.Skill" },
      scoringRuleOptions: { descendingOrder: false },
    };
    expect(ids(await orderWorkers(job, eligibleWorkers(job, ws, { nowMs: now }), mode, deps()))).toEqual(["a", "b"]);
  });

  it("bestWorker batch scoring sends workers in batches of batchSize", async () => {
    const bodies: Array<{ workers: Array<{ Skill: number }>; job?: unknown; selectors?: unknown }> = [];
    const http: HttpCaller = async (req) => {
      const body = JSON.parse(req.body) as { workers: Array<{ Skill: number }> };
      bodies.push(body);
      return { status: 200, body: JSON.stringify(body.workers.map((w) => w.Skill)) };
    };
    const ws = ["a", "b", "c", "d", "e"].map((id, i) => worker(id, { labels: { Skill: i } }));
    const mode: BestWorkerMode = {
      kind: "bestWorker",
      scoringRule: { kind: "function", functionUri: "https://score.example/api" },
      scoringRuleOptions: { isBatchScoringEnabled: true, batchSize: 2, scoringParameters: ["jobLabels"] },
    };
    const ordered = await orderWorkers(job, eligibleWorkers(job, ws, { nowMs: now }), mode, deps({ http }));
    expect(ids(ordered)).toEqual(["e", "d", "c", "b", "a"]);
    expect(bodies.map((b) => b.workers.length)).toEqual([2, 2, 1]);
    expect(bodies[0]?.job).toEqual({ Lang: "en" });
    expect(bodies[0]?.selectors).toBeUndefined();
  });

  it("bestWorker scoring parameters default to job labels and selectors, one worker per call", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const http: HttpCaller = async (req) => {
      bodies.push(JSON.parse(req.body) as Record<string, unknown>);
      return { status: 200, body: "1" };
    };
    const j = { ...job, activeSelectors: [{ key: "Lang", labelOperator: "equal" as const, value: "en" }] };
    await orderWorkers(
      j,
      eligibleWorkers(j, [worker("a", { labels: { Lang: "en" } })], { nowMs: now }),
      { kind: "bestWorker", scoringRule: { kind: "function", functionUri: "https://s.example/" } },
      deps({ http }),
    );
    expect(bodies[0]).toEqual({
      job: { Lang: "en" },
      selectors: [{ key: "Lang", labelOperator: "equal", value: "en" }],
      worker: { Lang: "en" },
    });
  });
});

describe("concurrent offers", () => {
  it("maxConcurrentOffers caps outstanding offers", () => {
    const mode: DistributionMode = { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 3 };
    expect(offersToIssue(mode, 0, 5)).toBe(3);
    expect(offersToIssue(mode, 2, 5)).toBe(1);
    expect(offersToIssue(mode, 3, 5)).toBe(0);
  });

  it("minConcurrentOffers waits until enough workers are eligible", () => {
    const mode: DistributionMode = { kind: "longestIdle", minConcurrentOffers: 2, maxConcurrentOffers: 3 };
    expect(offersToIssue(mode, 0, 1)).toBe(0);
    expect(offersToIssue(mode, 0, 2)).toBe(2);
  });

  it("selectWorkersForOffer combines eligibility, ordering and the cap", async () => {
    const ws = [worker("w1"), worker("w2"), worker("w3")];
    const chosen = await selectWorkersForOffer(job, ws, { kind: "roundRobin", maxConcurrentOffers: 2 }, 0, deps());
    expect(ids(chosen)).toEqual(["w1", "w2"]);
    expect(chosen[0]?.capacityCost).toBe(1);
  });
});

describe("longestIdle without sorting", () => {
  it("the first n workers found by scanning are the first n of the full order, ties included", () => {
    // A small deterministic generator: loads and idle times drawn from few values, so ties on both are common.
    let seed = 7;
    const next = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let round = 0; round < 50; round++) {
      const ws = Array.from({ length: 1 + next(40) }, (_, i) =>
        worker(`w${String(next(1000)).padStart(3, "0")}-${i}`, {
          idleSinceMs: now - 1000 * next(3),
          usage: Array.from({ length: next(3) }, (_, u) => ({
            kind: "assignment" as const,
            jobId: `a${u}`,
            channelId: "chat",
            capacityCost: 1,
          })),
        }),
      );
      const eligible = eligibleWorkers(job, ws, { nowMs: now });
      const full = ids(orderLongestIdle(eligible));
      for (const n of [1, 2, 4]) expect(ids(firstLongestIdle(eligible, n))).toEqual(full.slice(0, n));
    }
  });
});
