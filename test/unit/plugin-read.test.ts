// The native provider's read (plugin/provider.ts) against an in-process emulator: what a refresh keeps of the
// state's bookkeeping, and what `pulumi import` (a read without properties) records. The engine runs both through
// the real gRPC server in test/e2e/native-provider.test.ts; here each outcome is checked key by key.

import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { JobRouterProvider, pluginConfig, recordConfigure } from "../../plugin";
import { JobRouterClient } from "../../provider/client/client";
import { configure } from "../../provider/engine";

const URN = "urn:pulumi:dev::shop::jobrouter:index:RouterQueue::sales";
const OWNER = "shop/dev/RouterQueue/sales";

let emu: RunningEmulator;
let journal: string;
const provider = new JobRouterProvider();

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  journal = await mkdtemp(path.join(os.tmpdir(), "plugin-read-"));
  vi.stubEnv("PULUMI_JOBROUTER_JOURNAL_DIR", journal);
  recordConfigure([["jobrouter:config:connectionString", emu.connectionString]]);
  await configure({ config: pluginConfig });
  const client = JobRouterClient.fromConnectionString(emu.connectionString);
  await client.upsertDistributionPolicy("dp", { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } });
  await client.upsertQueue("sales", { name: "Sales", distributionPolicyId: "dp" });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await emu.close();
  await rm(journal, { recursive: true, force: true });
});

describe("the native provider's read", () => {
  it("keeps the legacy `owner` key of older state and adds no `__owner` beside it", async () => {
    const state = { queueId: "sales", name: "Sales", distributionPolicyId: "dp", owner: OWNER, adopted: false };
    const result = await provider.read("sales", URN, state);
    expect(result.id).toBe("sales");
    expect(result.props).toMatchObject({ owner: OWNER, adopted: false, name: "Sales" });
    expect(result.props).not.toHaveProperty("__owner");
  });

  it("gives state without an owner the URN's, under `__owner`", async () => {
    const result = await provider.read("sales", URN, { queueId: "sales", name: "Sales", distributionPolicyId: "dp" });
    expect(result.props).toMatchObject({ __owner: OWNER });
    expect(result.props).not.toHaveProperty("owner");
  });

  it("records an import (no properties) as managed like a created object, with one warning, and writes nothing", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      warnings.push(String(chunk));
      return true;
    });
    emu.clearRequests();
    try {
      const result = await provider.read("sales", URN, {});
      expect(result.id).toBe("sales");
      expect(result.props).toMatchObject({ queueId: "sales", name: "Sales", adopted: false, __owner: OWNER });
      // The inputs the import records: the live configuration, without the output-only `adopted`.
      expect(result.inputs).toMatchObject({ queueId: "sales", name: "Sales", distributionPolicyId: "dp" });
      expect(result.inputs).not.toHaveProperty("adopted");
    } finally {
      spy.mockRestore();
    }
    expect(emu.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(warnings.join("")).toContain(
      'warning: jobrouter: RouterQueue "sales" imported queue "sales" (pulumi import), without any write. Pulumi ' +
        "manages it like an object it created: deleting this resource (or destroying its stack) deletes the object. " +
        "To keep it on the service, set `leaveOnDelete: true` on the resource or give it the retainOnDelete resource " +
        "option.",
    );
  });
});
