// Concurrent edits: someone changes an object on the service between `pulumi preview` and `pulumi up`. The update
// carries If-Match with the ETag the state recorded, so the service refuses it (412): the up fails with a message
// that says what happened and what to do, and the out-of-band edit survives. The documented way forward (refresh,
// look at the drift, up) then converges.

import { rm } from "node:fs/promises";
import * as path from "node:path";
import { signRequest, startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot } from "../../bench/cli";

const workRoot = path.join(repoRoot, ".cache", "e2e", `reliability-ifmatch-${process.pid}-${Date.now()}`);

async function signed(
  emulator: RunningEmulator,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`${apiPath.replace(/^\//, "")}?api-version=2023-11-01`, emulator.endpoint);
  const text = body === undefined ? "" : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...signRequest({ method, url: url.toString(), body: text, accessKey: emulator.accessKey }),
    accept: "application/json",
  };
  if (body !== undefined) headers["content-type"] = "application/merge-patch+json";
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: text }) });
  const raw = await res.text();
  return { status: res.status, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
}

describe("an out-of-band edit between preview and up", () => {
  let emulator: RunningEmulator;
  let stack: CliStack;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    stack = await CliStack.create({
      workDir: workRoot,
      programDir: "bench/program",
      config: {
        "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
        "bench:n": { value: "10" },
      },
    });
    await stack.must(["up", "--yes", "--skip-preview"]);
  }, 120_000);

  afterAll(async () => {
    await emulator?.close();
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  it("is protected by If-Match: the update is refused with a clear message and the edit survives", async () => {
    // The program renames the exception policy (the first bench object)…
    await stack.setConfig("bench:changed", "1");
    const preview = await stack.must(["preview", "--json"]);
    const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
    expect(steps.filter((s) => s.op === "update").map((s) => s.urn.split("::").pop())).toEqual(["b-ep-0-0"]);

    // …and meanwhile someone edits it by hand.
    const before = await signed(emulator, "GET", "/routing/exceptionPolicies/b-ep-0-0");
    const edit = await signed(emulator, "PATCH", "/routing/exceptionPolicies/b-ep-0-0", { name: "Edited by hand" });
    expect(edit.status).toBe(200);
    expect(edit.body["etag"]).not.toBe(before.body["etag"]);

    emulator.clearRequests();
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    expect(up.code).not.toBe(0);
    const output = up.stdout + up.stderr;
    expect(output).toMatch(/exception policy "b-ep-0-0" was changed or deleted outside Pulumi/);
    expect(output).toMatch(/412 Precondition Failed/);
    expect(output).toMatch(/Run `pulumi refresh`/);
    // The refused write is the only write, and the service kept the hand edit.
    const writes = emulator.requests.filter((r) => r.method === "PATCH");
    expect(writes.map((r) => [r.path, r.status])).toEqual([["/routing/exceptionPolicies/b-ep-0-0", 412]]);
    const after = await signed(emulator, "GET", "/routing/exceptionPolicies/b-ep-0-0");
    expect(after.body["name"]).toBe("Edited by hand");
    expect(after.body["etag"]).toBe(edit.body["etag"]);

    // What the message says to do: refresh (the state learns the edit), then up (the program wins, knowingly).
    await stack.must(["refresh", "--yes", "--skip-preview"]);
    const drift = await stack.must(["preview", "--json", "--diff"]);
    const driftSteps = (JSON.parse(drift.stdout) as { steps: { op: string; urn: string; diffReasons?: string[] }[] })
      .steps;
    const update = driftSteps.find((s) => s.op === "update");
    expect(update?.urn.endsWith("::b-ep-0-0")).toBe(true);
    expect(update?.diffReasons).toContain("name");
    await stack.must(["up", "--yes", "--skip-preview"]);
    const final = await signed(emulator, "GET", "/routing/exceptionPolicies/b-ep-0-0");
    expect(final.body["name"]).toBe("EP 0/0 v2");
    await stack.must(["preview", "--expect-no-changes"]);
  }, 180_000);
});
