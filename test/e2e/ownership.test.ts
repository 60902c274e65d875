// Ownership safety through the real engine (docs/ownership.md): a rename (with and without aliases), an adoption
// in the same deployment as the old resource's delete, a second stack of the same program on the same endpoint and
// machine, and a ContactCenter key change never delete or silently take over an object. Every scenario asserts the
// objects on the emulator afterwards and the request log (method, path, status), and prints that log
// (`ownership-log <scenario>: [...]`) for the record.
//
// Programs are inline and import the package by name, as a user's program does. The harness gives all stacks of one
// harness the same PULUMI_HOME, so they share this machine's create journal, as two stacks on one machine do.

import * as pulumi from "@pulumi/pulumi";
import { ContactCenter, DistributionPolicy, RouterQueue } from "pulumi-jobrouter";
import { JobRouterClient } from "pulumi-jobrouter/client";
import type { RequestLogEntry } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, type HarnessStack } from "./harness";

const QUEUE_TYPE = "pulumi-nodejs:dynamic/jobrouter:RouterQueue";

/** The routing calls of a request log, as `METHOD /routing/<collection>/<id> status`. */
function calls(requests: readonly RequestLogEntry[]): string[] {
  return requests.filter((r) => r.path.startsWith("/routing/")).map((r) => `${r.method} ${r.path} ${r.status}`);
}

function writes(requests: readonly RequestLogEntry[]): string[] {
  return calls(requests).filter((c) => !c.startsWith("GET "));
}

/** Engine output joined to one line (the CLI wraps long diagnostics). */
function flat(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

function record(scenario: string, requests: readonly RequestLogEntry[]): string[] {
  const lines = calls(requests);
  console.log(`ownership-log ${scenario}: ${JSON.stringify(lines)}`);
  return lines;
}

/** The error text of a failed operation, or "succeeded". */
function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "succeeded",
    (e: unknown) => String(e),
  );
}

async function live(h: Harness, path: string): Promise<Record<string, unknown> | undefined> {
  const r = await h.request("GET", path);
  return r.status === 200 ? (r.body as Record<string, unknown>) : undefined;
}

async function queueNames(stack: HarnessStack): Promise<string[]> {
  return (await stack.resources(QUEUE_TYPE)).map((r) => r.urn.split("::").pop() ?? "").sort();
}

/** What the rename program varies between deployments: the queue's resource name, labels, options. */
interface QueueDecl {
  name: string;
  tier: string;
  adoptExisting?: boolean | "overwrite";
  leaveOnDelete?: boolean;
  aliases?: string[];
}

describe("ownership: renames and adoption in one stack", () => {
  let h: Harness;
  let decl: QueueDecl = { name: "vip", tier: "gold" };

  const program = async (): Promise<void> => {
    const dp = new DistributionPolicy("idle", {
      distributionPolicyId: "own-dp",
      name: "Idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    new RouterQueue(
      decl.name,
      {
        queueId: "q-vip",
        name: "VIP",
        distributionPolicyId: dp.id,
        labels: { tier: decl.tier },
        ...(decl.adoptExisting !== undefined ? { adoptExisting: decl.adoptExisting } : {}),
        ...(decl.leaveOnDelete !== undefined ? { leaveOnDelete: decl.leaveOnDelete } : {}),
      },
      decl.aliases ? { aliases: decl.aliases.map((name) => ({ name })) } : {},
    );
  };

  beforeAll(async () => {
    h = await createHarness({ name: "ownership" });
    await h.stack(program);
    const { result } = await h.track(() => h.up());
    expect(result.summary.result).toBe("succeeded");
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ name: "VIP", labels: { tier: "gold" } });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("a rename without aliases is refused with the aliases fix, and the queue stays", async () => {
    decl = { name: "vip-queue", tier: "gold" };
    const { result, requests } = await h.track(() => outcome(h.up()));
    const log = record("rename-without-aliases", requests);
    expect(result).toContain('cannot create queue "q-vip": an object with this id already exists');
    expect(result).toContain('RouterQueue "vip" of this stack manages it');
    expect(result).toContain('add `aliases: [{ name: "vip" }]` to the resource options of "vip-queue"');
    expect(log).toEqual(["GET /routing/queues/q-vip 200"]);
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ name: "VIP", labels: { tier: "gold" } });
    expect(await queueNames(h.current())).toEqual(["vip"]);
  });

  it("a rename with aliases previews as no change and writes nothing", async () => {
    decl = { name: "vip-queue", tier: "gold", aliases: ["vip"] };
    const preview = await h.previewJson();
    expect(preview.changeSummary).toEqual({ same: 3 });
    const { result, requests } = await h.track(() => h.up());
    const log = record("rename-with-aliases", requests);
    expect(result.summary.resourceChanges).toEqual({ same: 3 });
    expect(writes(requests)).toEqual([]);
    expect(log.every((l) => l.startsWith("GET "))).toBe(true);
    expect(await queueNames(h.current())).toEqual(["vip-queue"]);
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ name: "VIP", labels: { tier: "gold" } });
  });

  it("a rename with adoptExisting: true of an identical queue adopts it without writes; the old delete leaves it", async () => {
    decl = { name: "vip-adopted", tier: "gold", adoptExisting: true };
    const preview = await h.previewJson();
    const create = preview.steps.find((s) => s.op === "create");
    // The preview shows the adoption among the new resource's inputs.
    expect(create?.newState?.inputs?.["adoptExisting"]).toBe(true);
    const { result, requests } = await h.track(() => h.up());
    const log = record("rename-adopt-identical", requests);
    expect(result.summary.resourceChanges).toMatchObject({ create: 1, delete: 1 });
    expect(log).toEqual(["GET /routing/queues/q-vip 200"]);
    expect(result.stdout + result.stderr).toContain('left queue "q-vip" in place: RouterQueue "vip-adopted"');
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ name: "VIP", labels: { tier: "gold" } });
    expect(await queueNames(h.current())).toEqual(["vip-adopted"]);
  });

  it("adoptExisting: true of a queue that differs is refused with the differing fields; nothing is written", async () => {
    decl = { name: "vip-platinum", tier: "platinum", adoptExisting: true };
    const { result, requests } = await h.track(() => outcome(h.up()));
    const log = record("rename-adopt-differing", requests);
    expect(result).toContain('cannot adopt queue "q-vip" for RouterQueue "vip-platinum"');
    expect(result).toContain('labels.tier: "gold" → "platinum"');
    expect(result).toContain('`adoptExisting: "overwrite"`');
    expect(log).toEqual(["GET /routing/queues/q-vip 200"]);
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ labels: { tier: "gold" } });
    expect(await queueNames(h.current())).toEqual(["vip-adopted"]);
  });

  it('adoptExisting: "overwrite" adopts and writes the program (one PATCH); the old delete leaves it', async () => {
    decl = { name: "vip-platinum", tier: "platinum", adoptExisting: "overwrite" };
    const { result, requests } = await h.track(() => h.up());
    const log = record("rename-adopt-overwrite", requests);
    expect(log).toEqual(["GET /routing/queues/q-vip 200", "PATCH /routing/queues/q-vip 200"]);
    // The old resource adopted the queue itself, so its state alone says to leave it.
    expect(flat(result.stdout + result.stderr)).toContain(
      'left queue "q-vip" in place: RouterQueue "vip-adopted" adopted it (adoptExisting)',
    );
    expect(await live(h, "/routing/queues/q-vip")).toMatchObject({ name: "VIP", labels: { tier: "platinum" } });
    expect(await queueNames(h.current())).toEqual(["vip-platinum"]);
  });

  it("adoptExisting never shows in a later diff, whether the program keeps it or drops it", async () => {
    for (const adoptExisting of ["overwrite", undefined, true] as const) {
      decl = { name: "vip-platinum", tier: "platinum", ...(adoptExisting !== undefined ? { adoptExisting } : {}) };
      expect((await h.previewJson()).changeSummary, String(adoptExisting)).toEqual({ same: 3 });
    }
    // A real change shows only the changed field.
    decl = { name: "vip-platinum", tier: "silver" };
    const preview = await h.previewJson();
    const update = preview.steps.find((s) => s.op === "update");
    expect(Object.keys(update?.detailedDiff ?? {})).toEqual(["labels.tier"]);
    expect(update?.diffReasons).toEqual(["labels"]);
  });

  it("leaveOnDelete: false on the adopted queue is an update without writes; then destroy deletes it", async () => {
    decl = { name: "vip-platinum", tier: "platinum", leaveOnDelete: false };
    const up = await h.track(() => h.up());
    record("adopted-leaveOnDelete-false", up.requests);
    expect(up.result.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(writes(up.requests)).toEqual([]);
    expect((await h.previewJson()).changeSummary).toEqual({ same: 3 });
    const { requests } = await h.track(() => h.destroy());
    const log = record("destroy-owner", requests);
    expect(writes(requests)).toEqual([
      "DELETE /routing/queues/q-vip 204",
      "DELETE /routing/distributionPolicies/own-dp 204",
    ]);
    expect(log.length).toBe(2);
    expect(await live(h, "/routing/queues/q-vip")).toBeUndefined();
  });
});

describe("ownership: a second stack of the same program on the same machine and endpoint", () => {
  let h: Harness;
  let first: HarnessStack;
  let second: HarnessStack;
  let adopt: boolean | undefined;

  const program = async (): Promise<void> => {
    const dp = new DistributionPolicy("idle", {
      distributionPolicyId: "shared-dp",
      name: "Idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
      ...(adopt !== undefined ? { adoptExisting: adopt } : {}),
    });
    new RouterQueue("sales", {
      queueId: "shared-sales",
      name: "Sales",
      distributionPolicyId: dp.id,
      ...(adopt !== undefined ? { adoptExisting: adopt } : {}),
    });
  };

  beforeAll(async () => {
    h = await createHarness({ name: "ownership-stacks" });
    first = await h.stack(program);
    await first.up();
    second = await h.stack(program);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("is refused, naming the other stack; nothing is written", async () => {
    const { result, requests } = await h.track(() => outcome(second.up()));
    const log = record("second-stack-up", requests);
    expect(result).toContain('cannot create distribution policy "shared-dp"');
    expect(result).toContain(`stack "${first.name}" of this project manages it`);
    expect(writes(requests)).toEqual([]);
    expect(log).toEqual(["GET /routing/distributionPolicies/shared-dp 200"]);
  });

  it("is refused with adoptExisting: true too", async () => {
    adopt = true;
    const { result, requests } = await h.track(() => outcome(second.up()));
    record("second-stack-up-adopt", requests);
    expect(result).toContain(`stack "${first.name}" of this project manages it`);
    expect(result).toContain("`adoptExisting` does not take it from another stack of this project");
    expect(writes(requests)).toEqual([]);
    adopt = undefined;
  });

  it("destroying it leaves the first stack's objects, and the first stack sees no change", async () => {
    const { requests } = await h.track(() => second.destroy());
    record("second-stack-destroy", requests);
    expect(writes(requests)).toEqual([]);
    expect(await live(h, "/routing/distributionPolicies/shared-dp")).toMatchObject({ name: "Idle" });
    expect(await live(h, "/routing/queues/shared-sales")).toMatchObject({ name: "Sales" });
    expect((await first.preview()).changeSummary).toEqual({ same: 3 });
  });
});

describe("ownership: a ContactCenter key renamed", () => {
  let h: Harness;
  let key = "vip";
  let previousKeys: string[] | undefined;

  const program = async (): Promise<void> => {
    const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
    new ContactCenter("center", {
      communicationServices: { existing: { connectionString } },
      distributionPolicies: { idle: { id: "cc-idle", name: "Idle", mode: { kind: "longestIdle" } } },
      queues: {
        [key]: { id: "cc-vip", name: "VIP", distributionPolicy: "idle", ...(previousKeys ? { previousKeys } : {}) },
      },
    });
  };

  beforeAll(async () => {
    h = await createHarness({ name: "ownership-cc" });
    await h.stack(program);
    await h.up();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("a key renamed with the same id is refused, naming the old child and how to keep it", async () => {
    key = "premium";
    const { result, requests } = await h.track(() => outcome(h.up()));
    const log = record("cc-key-renamed", requests);
    // Said in the component's terms: its name, the collection and the new key.
    expect(result).toContain('ContactCenter "center" queues.premium: cannot create queue "cc-vip"');
    expect(result).toContain('RouterQueue "center-queue-vip" of this stack manages it');
    expect(result).toContain(
      'add `aliases: [{ name: "center-queue-vip" }]` to the resource options of "center-queue-premium"',
    );
    expect(result).toContain(
      'If these are children of the ContactCenter "center", whose `queues` key changed from "vip" to "premium": ' +
        'keep the key "vip", or add `previousKeys: ["vip"]` to the entry "premium"',
    );
    expect(log).toEqual(["GET /routing/queues/cc-vip 200"]);
    expect(await live(h, "/routing/queues/cc-vip")).toMatchObject({ name: "VIP" });
  });

  it("with previousKeys the renamed key is no change and writes nothing", async () => {
    previousKeys = ["vip"];
    expect((await h.preview()).changeSummary).toEqual({ same: 4 });
    const { result, requests } = await h.track(() => h.up());
    record("cc-key-renamed-previousKeys", requests);
    expect(result.summary.resourceChanges).toEqual({ same: 4 });
    expect(writes(requests)).toEqual([]);
    expect(await live(h, "/routing/queues/cc-vip")).toMatchObject({ name: "VIP" });
    const urns = (await h.resources(QUEUE_TYPE)).map((r) => r.urn);
    expect(urns.length).toBe(1);
    expect(urns[0]).toMatch(/::center-queue-premium$/);
  });
});

describe("ownership: a ContactCenter adopting an object that differs", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "ownership-cc-adopt" });
    // Made outside Pulumi: the queue the component is told to adopt, on another policy and with another tier.
    const client = JobRouterClient.fromConnectionString(h.emulator.connectionString);
    await client.upsert("distributionPolicies", "made-dp", {
      name: "Made",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    await client.upsert("queues", "cc-support", {
      name: "Support",
      distributionPolicyId: "made-dp",
      labels: { tier: 1 },
    });
    await h.stack(async () => {
      const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
      new ContactCenter("center", {
        communicationServices: { existing: { connectionString } },
        adoptExisting: true,
        distributionPolicies: { idle: { id: "cc-idle", name: "Idle", mode: { kind: "longestIdle" } } },
        queues: { support: { id: "cc-support", name: "Support", distributionPolicy: "idle", labels: { tier: 2 } } },
      });
    });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("is refused in the component's terms, the differences named by its arguments; the queue stays", async () => {
    const { result, requests } = await h.track(() => outcome(h.up()));
    const log = record("cc-adopt-differs", requests);
    expect(result).toContain('ContactCenter "center" queues.support: cannot adopt queue "cc-support"');
    expect(result).toContain('distributionPolicy [distributionPolicyId]: "made-dp" → "cc-idle"');
    expect(result).toContain("labels.tier: 1 → 2");
    // The new distribution policy is created; the queue is only read.
    expect(writes(requests)).toEqual(["PATCH /routing/distributionPolicies/cc-idle 201"]);
    expect(log).toContain("GET /routing/queues/cc-support 200");
    expect(await live(h, "/routing/queues/cc-support")).toMatchObject({
      distributionPolicyId: "made-dp",
      labels: { tier: 1 },
    });
  });
});
