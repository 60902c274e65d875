// A changed connection is checked before anything is recorded (provider/connectionCheck.ts), through the real engine:
// the program's resources take their connection from the stack config `jobrouter:connectionString`, which each
// scenario changes the way a user would (`pulumi config set --secret`).
//
//  1. a wrong access key: `up` fails with the 401 message naming the config key, sends no write, and every resource
//     keeps the previous connection (`connectedTo`); refresh with the wrong key fails with the 401 message and drops
//     nothing; with the key restored, `up` (no change, nothing sent) and refresh work;
//  2. another namespace (a second, empty emulator): `up` fails naming both endpoints and the id, with no write on
//     either; refresh fails naming the recorded connection and drops nothing (resources counted before and after);
//  3. a key rotation (the emulator restarted on its data directory and port with another key): refresh before the
//     `up` fails with the 401 message and drops nothing; `up` with the new key succeeds with reads only, and the state
//     records the new connection.
//
// Each scenario prints the emulators' request logs on lines starting `connection-log`.

import { mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { DistributionPolicy, RouterQueue } from "pulumi-jobrouter";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTION_STRING_KEY, createHarness, type Harness, type StateResource } from "./harness";

const DYNAMIC = "pulumi-nodejs:dynamic";
const WRITES = new Set(["PATCH", "PUT", "POST", "DELETE"]);
/** Each scenario runs several engine commands (about 10 s each on an idle machine). */
const SCENARIO_TIMEOUT_MS = 300_000;

async function program(): Promise<void> {
  const dp = new DistributionPolicy("dp", { distributionPolicyId: "cc-dp", mode: { kind: "roundRobin" } });
  new DistributionPolicy("dp2", { distributionPolicyId: "cc-dp2", mode: { kind: "longestIdle" } });
  new RouterQueue("q", { queueId: "cc-q", name: "Sales", distributionPolicyId: dp.distributionPolicyId });
}

function print(scenario: string, label: string, requests: readonly RequestLogEntry[]): void {
  const lines = requests.map((r) => `${r.method} ${r.path} ${r.status}`);
  console.log(`connection-log ${scenario} ${label}: ${lines.length === 0 ? "(no requests)" : lines.join(", ")}`);
}

function writes(requests: readonly RequestLogEntry[]): string[] {
  return requests.filter((r) => WRITES.has(r.method)).map((r) => `${r.method} ${r.path}`);
}

/** The origin, as the provider's messages name an endpoint (no trailing slash). */
function origin(endpoint: string): string {
  return endpoint.replace(/\/$/, "");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

describe("a changed connection is checked before it is recorded (real engine, emulators)", () => {
  let h: Harness;
  let dataDir: string;
  let original: string;
  let other: RunningEmulator | undefined;
  let rotated: RunningEmulator | undefined;

  const custom = async (): Promise<StateResource[]> => (await h.resources()).filter((r) => r.type.startsWith(DYNAMIC));
  const recorded = async (): Promise<string[]> =>
    (await custom()).map((r) => String(r.outputs?.["connectedTo"] ?? "(none)")).sort();
  const setConnection = (value: string) => h.current().setConfig({ [CONNECTION_STRING_KEY]: { value, secret: true } });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "jr-connection-change-"));
    h = await createHarness({ name: "connection-change", emulator: { dataDir } });
    original = h.emulator.connectionString;
    // As GitOps runs it: every command on a fresh runner (new HOME, PULUMI_HOME, journal); only the backend is kept.
    await h.stack(program, { freshRunner: true });
    const { result, requests } = await h.track(() => h.up());
    print("setup", "up", requests);
    expect(result.summary.result).toBe("succeeded");
    expect(await custom()).toHaveLength(3);
  });

  afterAll(async () => {
    await other?.close();
    await rotated?.close();
    await h?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    "a wrong access key: up fails with the 401 message and sends no write; the state keeps the old connection",
    async () => {
      const before = await recorded();
      const wrongKey = randomBytes(32).toString("base64");
      await setConnection(`endpoint=${h.emulator.endpoint};accesskey=${wrongKey}`);

      const up = await h.track(() => h.up().then(() => "succeeded", errorText));
      print("wrong-key", "up", up.requests);
      console.log(`connection-log wrong-key up result: ${up.result === "succeeded" ? "succeeded" : "failed"}`);
      expect.soft(up.result).toContain("refused the access key (401 Unauthorized)");
      expect.soft(up.result).toContain("The key comes from the stack config `jobrouter:connectionString`");
      expect.soft(up.result).toContain("the state keeps the previous connection");
      expect.soft(up.result).not.toContain(wrongKey);
      expect.soft(writes(up.requests)).toEqual([]);
      expect.soft(await recorded()).toEqual(before);

      expect.soft(await h.stateText()).not.toContain(wrongKey);

      // Refresh with the wrong key still configured: stops with the reason; nothing dropped.
      const refresh = await h.track(() => h.refresh().then((r) => r.summary.result, errorText));
      print("wrong-key", "refresh", refresh.requests);
      console.log(
        `connection-log wrong-key refresh result: ${refresh.result === "succeeded" ? "succeeded" : "failed"}; resources in state ${(await custom()).length}`,
      );
      expect.soft(refresh.result).toContain("refused the access key (401 Unauthorized)");
      expect.soft(refresh.result).toContain("Nothing was dropped from the state");
      expect.soft(await custom()).toHaveLength(3);

      // The key restored: up has nothing to do (and sends nothing); refresh works and finds everything.
      await setConnection(original);
      const again = await h.track(() => h.up().then((r) => r.summary.resourceChanges, errorText));
      print("wrong-key", "up with the key restored", again.requests);
      expect.soft(again.result).toEqual({ same: 4 });
      expect.soft(again.requests).toEqual([]);
      const restored = await h.track(() => h.refresh().then((r) => r.summary.result, errorText));
      print("wrong-key", "refresh with the key restored", restored.requests);
      console.log(
        `connection-log wrong-key refresh with the key restored result: ${restored.result === "succeeded" ? "succeeded" : "failed"}; resources in state ${(await custom()).length}`,
      );
      expect.soft(restored.result).toBe("succeeded");
      expect.soft(await custom()).toHaveLength(3);
      expect.soft(await recorded()).toEqual(before);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "another namespace that lacks the objects: up fails naming both endpoints; refresh drops nothing",
    async () => {
      other = await startEmulator({ port: 0 });
      const before = await recorded();
      await setConnection(other.connectionString);
      const count = (await custom()).length;

      h.emulator.clearRequests();
      other.clearRequests();
      const up = await h.up().then(() => "succeeded", errorText);
      print("other-namespace", "up (original emulator)", h.emulator.requests);
      print("other-namespace", "up (other emulator)", other.requests);
      console.log(`connection-log other-namespace up result: ${up === "succeeded" ? "succeeded" : "failed"}`);
      expect.soft(up).toContain(`does not exist at the new endpoint ${origin(other.endpoint)}`);
      expect.soft(up).toContain(`while this stack manages it at ${origin(h.emulator.endpoint)}`);
      expect.soft(up).toMatch(/GET \/routing\/(distributionPolicies\/cc-dp2?|queues\/cc-q) answered 404/);
      expect.soft(writes([...h.emulator.requests, ...other.requests])).toEqual([]);
      expect.soft(await recorded()).toEqual(before);

      h.emulator.clearRequests();
      other.clearRequests();
      const refresh = await h.refresh().then((r) => r.summary.result, errorText);
      print("other-namespace", "refresh (original emulator)", h.emulator.requests);
      print("other-namespace", "refresh (other emulator)", other.requests);
      const after = (await custom()).length;
      console.log(`connection-log other-namespace refresh: resources in state before ${count}, after ${after}`);
      expect.soft(refresh).toContain("refresh kept");
      expect
        .soft(refresh)
        .toContain(`it is not at ${origin(other.endpoint)} (404), but this stack last read or wrote it`);
      expect.soft(refresh).toContain("Nothing was dropped from the state");
      expect.soft(after).toBe(count);
      expect.soft(writes(other.requests)).toEqual([]);
      expect.soft(other.store.list("queues")).toEqual([]);
      // Back to the original: up records it (nothing sent), refresh works.
      await setConnection(original);
      expect.soft(await h.up().then((r) => r.summary.resourceChanges, errorText)).toEqual({ same: 4 });
      expect.soft(await h.refresh().then((r) => r.summary.result, errorText)).toBe("succeeded");
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a key rotation (same objects and endpoint, new key): refresh before the up stops; up reads only and records it",
    async () => {
      const before = await recorded();
      const port = h.emulator.port;
      await h.emulator.close();
      // The same data and port, another key: the old key no longer works, as after a rotation in Azure.
      rotated = await startEmulator({ port, dataDir, accessKey: randomBytes(32).toString("base64") });

      const stale = await h.refresh().then((r) => r.summary.result, errorText);
      print("key-rotation", "refresh with the old key", rotated.requests);
      console.log(
        `connection-log key-rotation refresh with the old key result: ${stale === "succeeded" ? "succeeded" : "failed"}; resources in state ${(await custom()).length}`,
      );
      expect.soft(stale).toContain("refused the access key (401 Unauthorized)");
      expect.soft(stale).toContain("Nothing was dropped from the state");
      expect.soft(stale).toContain("If the key was rotated, set the new one");
      expect.soft(await custom()).toHaveLength(3);

      await setConnection(rotated.connectionString);
      rotated.clearRequests();
      const up = await h.up().then((r) => r.summary.result, errorText);
      print("key-rotation", "up", rotated.requests);
      console.log(`connection-log key-rotation up result: ${up === "succeeded" ? "succeeded" : "failed"}`);
      expect.soft(up).toBe("succeeded");
      expect.soft(writes(rotated.requests)).toEqual([]);
      expect.soft(rotated.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "GET 200", "GET 200"]);
      const after = await recorded();
      expect.soft(after).toHaveLength(3);
      for (const identity of after) {
        expect.soft(identity.startsWith(`${origin(rotated.endpoint)} (access key `)).toBe(true);
        expect.soft(before).not.toContain(identity);
      }

      expect.soft(await h.stateText()).not.toContain(rotated.accessKey);

      rotated.clearRequests();
      const refresh = await h.refresh().then((r) => r.summary.result, errorText);
      print("key-rotation", "refresh", rotated.requests);
      console.log(
        `connection-log key-rotation refresh result: ${refresh === "succeeded" ? "succeeded" : "failed"}; resources in state ${(await custom()).length}`,
      );
      expect.soft(refresh).toBe("succeeded");
      expect.soft(await custom()).toHaveLength(3);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
