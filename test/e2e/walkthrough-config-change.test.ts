// A configuration change, applied by the real Pulumi engine, changes how the emulator routes jobs: the same job
// submitted before and after `pulumi up` lands in a different queue (classification policy change), and the same
// pair of workers gets the offer the other way round (distribution mode change).

import * as pulumi from "@pulumi/pulumi";
import { ContactCenter, type ContactCenterArgs } from "pulumi-jobrouter";
import { JobRouterClient } from "pulumi-jobrouter/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

interface Variant {
  fallbackQueue: "sales" | "support";
  mode: NonNullable<NonNullable<ContactCenterArgs["distributionPolicies"]>[string]>["mode"];
}

let variant: Variant = { fallbackQueue: "sales", mode: { kind: "longestIdle" } };

async function program(): Promise<Record<string, unknown>> {
  const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
  const center = new ContactCenter("center", {
    communicationServices: { existing: { connectionString } },
    distributionPolicies: { main: { name: "Main", offerExpiresAfterSeconds: 300, mode: variant.mode } },
    queues: {
      sales: { name: "Sales", distributionPolicy: "main" },
      support: { name: "Support", distributionPolicy: "main" },
    },
    classificationPolicies: { triage: { name: "Triage", fallbackQueue: variant.fallbackQueue } },
  });
  return { ids: center.ids };
}

describe("a configuration change changes routing (real engine, emulator)", () => {
  let h: Harness;
  let client: JobRouterClient;

  beforeAll(async () => {
    h = await createHarness({ name: "walkthrough-config-change" });
    await h.stack(program);
    client = JobRouterClient.fromConnectionString(h.emulator.connectionString);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  const offeredTo = async (jobId: string, workers: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (const w of workers) if ((await client.getWorker(w)).offers?.some((o) => o.jobId === jobId)) out.push(w);
    return out;
  };

  it("changing the classification policy's fallback queue sends new jobs to the other queue", async () => {
    expect((await h.up()).summary.result).toBe("succeeded");
    await client.upsertJob("before", { channelId: "chat", classificationPolicyId: "triage" });
    expect(await client.getJob("before")).toMatchObject({ status: "queued", queueId: "sales" });

    variant = { ...variant, fallbackQueue: "support" };
    const up = await h.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    await client.upsertJob("after", { channelId: "chat", classificationPolicyId: "triage" });
    expect(await client.getJob("after")).toMatchObject({ status: "queued", queueId: "support" });
    // The job classified before the change stays where it was.
    expect((await client.getJob("before")).queueId).toBe("sales");
    for (const id of ["before", "after"]) await client.cancelJob(id);
  });

  it("changing the distribution mode changes which worker is offered the job", async () => {
    const worker = (skill: number) => ({
      queues: ["support"],
      capacity: 1,
      labels: { skill },
      channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
      availableForOffers: true,
    });
    // longestIdle: the worker available the longest ("a-veteran", registered first, and first by id should both
    // register within the same millisecond) gets the first offer.
    await client.upsertWorker("a-veteran", worker(2));
    await client.upsertWorker("b-expert", worker(9));
    await client.upsertJob("j1", { channelId: "chat", classificationPolicyId: "triage" });
    expect(await offeredTo("j1", ["a-veteran", "b-expert"])).toEqual(["a-veteran"]);
    await client.cancelJob("j1");

    // bestWorker scored by skill: the expert gets it.
    variant = {
      ...variant,
      mode: { kind: "bestWorker", scoringRule: { kind: "expression", expression: "worker.skill" } },
    };
    const up = await h.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    await client.upsertJob("j2", { channelId: "chat", classificationPolicyId: "triage" });
    expect(await offeredTo("j2", ["a-veteran", "b-expert"])).toEqual(["b-expert"]);

    // Tidy up so destroy can delete the queues (a worker listing a queue blocks its deletion).
    await client.cancelJob("j2");
    for (const w of ["a-veteran", "b-expert"]) await client.deleteWorker(w);
    expect((await h.destroy()).summary.result).toBe("succeeded");
  });
});
