// The main job's walkthrough through the real Pulumi engine: `pulumi up` of the root program against the emulator,
// then the seed's job-routing flow on what was deployed (scripts/main.ts, which `npm start` runs), then destroy.

import { describe, expect, it } from "vitest";
import { runMain, type MainResult } from "../../scripts/main";

describe("npm start walkthrough", () => {
  it("deploys the root program, routes a job end to end, closes another with closeAt, and destroys", async () => {
    const lines: string[] = [];
    const r: MainResult = await runMain({ log: (l) => lines.push(l), closeAtDelayMs: 1500 });

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

    // Everything the program created was destroyed.
    expect(r.created).toBeGreaterThanOrEqual(7); // stack, component, policies and queues of the root program
    expect(r.destroyed).toBe(r.created);
    expect(lines.some((l) => l.includes("event and worker read agree"))).toBe(true);
  });
});
