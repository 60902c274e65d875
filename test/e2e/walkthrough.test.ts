// The main job's walkthrough through the real Pulumi engine: `pulumi up` of the root program against the emulator,
// then the seed's job-routing flow on what was deployed (scripts/main.ts, which `npm start` runs), then destroy.

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain, type MainResult } from "../../scripts/main";

// A home of its own (emulator data, backend, secrets) so the test never touches a developer's .cache/main.
const home = path.join(__dirname, "..", "..", ".cache", "e2e", `main-${randomBytes(4).toString("hex")}`);
afterAll(() => rm(home, { recursive: true, force: true }));

let firstCreates = 0;

describe("npm start walkthrough", () => {
  it("deploys the root program, routes a job end to end, and closes another with closeAt", async () => {
    const lines: string[] = [];
    const r: MainResult = await runMain({ home, log: (l) => lines.push(l), closeAtDelayMs: 1500 });

    // pulumi up of the root program produced the quickstart routing objects.
    expect(r.outputs).toMatchObject({
      queueId: "main",
      classificationPolicyId: "triage",
      escalationQueueId: "escalations",
    });

    // The offer arrived as an event and is the one the worker read showed.
    expect(r.offerFromEvent).toBe(r.offerFromWorker);

    // Statuses: accept → assigned, complete → completed, close → closed; with closeAt the job stays completed
    // until the time, then closes.
    expect(r.jobs.map((j) => j.statuses)).toEqual([
      ["assigned", "completed", "closed"],
      ["assigned", "completed", "completed", "closed"],
    ]);
    expect(Date.parse(r.closedEventTime)).toBeGreaterThanOrEqual(Date.parse(r.closeAt));

    // The events of the walkthrough, in the order the service raises them.
    const perJob = [
      "RouterJobReceived",
      "RouterJobClassified",
      "RouterJobQueued",
      "RouterWorkerOfferIssued",
      "RouterWorkerOfferAccepted",
      "RouterJobCompleted",
      "RouterJobClosed",
    ];
    expect(r.events).toEqual([...perJob.slice(0, 3), "RouterWorkerRegistered", ...perJob.slice(3), ...perJob]);

    // The first run created the root program's objects.
    expect(r.changes["create"]).toBeGreaterThanOrEqual(7); // stack, component, policies and queues
    expect(r.changes["update"] ?? 0).toBe(0);
    expect(r.destroyed).toBe(0);
    expect(lines.some((l) => l.includes("event and worker read agree"))).toBe(true);
    const finals = lines.filter((l) => l.startsWith("final status:"));
    expect(finals).toHaveLength(2);
    expect(finals.every((l) => l.endsWith(" closed"))).toBe(true);
    firstCreates = r.changes["create"] ?? 0;
  });

  it("a second run reuses the emulator's data, deploys no changes, and walks through again; then destroys", async () => {
    const lines: string[] = [];
    const r = await runMain({ home, log: (l) => lines.push(l), closeAtDelayMs: 500, destroy: true });
    expect(r.changes).toEqual({ same: firstCreates });
    expect(r.jobs.map((j) => j.statuses.at(-1))).toEqual(["closed", "closed"]);
    expect(r.destroyed).toBe(firstCreates);
  });
});
