// Request signing: every forged or damaged request is refused with 401 and changes nothing on the service — wrong
// key, tampered body, tampered path, a replay of a request signed too long ago, and each missing header. Also
// through the engine: a stack configured with the wrong key fails with a 401 that does not show the key.

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import * as path from "node:path";
import { signRequest, startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot } from "../../bench/cli";

const workRoot = path.join(repoRoot, ".cache", "e2e", `security-signatures-${process.pid}-${Date.now()}`);
const COLLECTIONS = ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"];

interface Prepared {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** A correctly signed request, as the Azure SDK would send it. */
function prepare(
  emulator: RunningEmulator,
  method: string,
  apiPath: string,
  body?: unknown,
  key?: string,
  date?: Date,
): Prepared {
  const url = new URL(`${apiPath.replace(/^\//, "")}?api-version=2023-11-01`, emulator.endpoint);
  const text = body === undefined ? "" : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...signRequest({
      method,
      url: url.toString(),
      body: text,
      accessKey: key ?? emulator.accessKey,
      ...(date ? { date } : {}),
    }),
    accept: "application/json",
  };
  if (body !== undefined) headers["content-type"] = "application/merge-patch+json";
  return { method, url, headers, body: text };
}

async function send(p: Prepared): Promise<{ status: number; text: string }> {
  const res = await fetch(p.url, { method: p.method, headers: p.headers, ...(p.body ? { body: p.body } : {}) });
  return { status: res.status, text: await res.text() };
}

/** Everything the service holds, ETags included: equal snapshots mean nothing changed. */
function snapshot(emulator: RunningEmulator): string {
  return JSON.stringify(COLLECTIONS.map((c) => emulator.store.list(c)));
}

describe("signed requests", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const dp = await send(
      prepare(emulator, "PATCH", "/routing/distributionPolicies/dp", {
        offerExpiresAfterSeconds: 30,
        mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
      }),
    );
    expect(dp.status).toBe(201);
    const q = await send(prepare(emulator, "PATCH", "/routing/queues/q1", { name: "Q1", distributionPolicyId: "dp" }));
    expect(q.status).toBe(201);
  });

  afterAll(async () => {
    await emulator?.close();
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  const forgeries: [string, (e: RunningEmulator) => Prepared][] = [
    [
      "wrong key",
      (e) => prepare(e, "PATCH", "/routing/queues/q1", { name: "forged" }, randomBytes(32).toString("base64")),
    ],
    [
      "wrong key (delete)",
      (e) => prepare(e, "DELETE", "/routing/queues/q1", undefined, randomBytes(32).toString("base64")),
    ],
    [
      "tampered body (signed one body, sent another)",
      (e) => ({
        ...prepare(e, "PATCH", "/routing/queues/q1", { name: "Q1" }),
        body: JSON.stringify({ name: "tampered" }),
      }),
    ],
    [
      "tampered body with its hash header recomputed (signature still covers the original hash)",
      (e) => {
        const p = prepare(e, "PATCH", "/routing/queues/q1", { name: "Q1" });
        const body = JSON.stringify({ name: "tampered" });
        const rehashed = prepare(
          e,
          "PATCH",
          "/routing/queues/q1",
          { name: "tampered" },
          randomBytes(32).toString("base64"),
        );
        return {
          ...p,
          body,
          headers: { ...p.headers, "x-ms-content-sha256": rehashed.headers["x-ms-content-sha256"] ?? "" },
        };
      },
    ],
    [
      "tampered path (signed for q1, sent to q2)",
      (e) => {
        const p = prepare(e, "PATCH", "/routing/queues/q1", { name: "Q1", distributionPolicyId: "dp" });
        return { ...p, url: new URL(p.url.toString().replace("/queues/q1", "/queues/q2")) };
      },
    ],
    [
      "tampered path (signed a GET of q1, sent as DELETE)",
      (e) => ({ ...prepare(e, "GET", "/routing/queues/q1"), method: "DELETE" }),
    ],
    [
      "replay of a request signed 20 minutes ago",
      (e) =>
        prepare(e, "PATCH", "/routing/queues/q1", { name: "replayed" }, undefined, new Date(Date.now() - 20 * 60_000)),
    ],
    [
      "date 20 minutes ahead",
      (e) => prepare(e, "DELETE", "/routing/queues/q1", undefined, undefined, new Date(Date.now() + 20 * 60_000)),
    ],
    ...(["authorization", "x-ms-date", "x-ms-content-sha256"] as const).map(
      (header): [string, (e: RunningEmulator) => Prepared] => [
        `missing ${header}`,
        (e) => {
          const p = prepare(e, "PATCH", "/routing/queues/q1", { name: `no ${header}` });
          const headers = { ...p.headers };
          delete headers[header];
          return { ...p, headers };
        },
      ],
    ),
    [
      "signature of another request",
      (e) => {
        const p = prepare(e, "PATCH", "/routing/queues/q1", { name: "forged" });
        const other = prepare(e, "GET", "/routing/queues/q1");
        return { ...p, headers: { ...p.headers, authorization: other.headers["authorization"] ?? "" } };
      },
    ],
  ];

  for (const [name, forge] of forgeries) {
    it(`refuses ${name} with 401 and changes nothing`, async () => {
      const before = snapshot(emulator);
      emulator.clearRequests();
      const res = await send(forge(emulator));
      expect(res.status).toBe(401);
      expect(emulator.requests.map((r) => r.status)).toEqual([401]);
      expect(snapshot(emulator)).toBe(before);
      // The refusal does not echo the key.
      expect(res.text).not.toContain(emulator.accessKey);
    });
  }

  it("still accepts the genuine request (the refusals are about the forgery, not the request)", async () => {
    const res = await send(prepare(emulator, "PATCH", "/routing/queues/q1", { name: "genuine" }));
    expect(res.status).toBe(200);
    expect(emulator.store.get("queues", "q1")?.body["name"]).toBe("genuine");
  });

  it("through the engine: a stack with the wrong key fails with 401, creates nothing and never shows the key", async () => {
    const wrongKey = randomBytes(32).toString("base64");
    const stack = await CliStack.create({
      workDir: path.join(workRoot, "wrong-key"),
      programDir: "bench/program",
      config: {
        "jobrouter:connectionString": { value: `endpoint=${emulator.endpoint};accesskey=${wrongKey}`, secret: true },
        "bench:n": { value: "3" },
        "bench:prefix": { value: "wk" },
      },
    });
    const before = snapshot(emulator);
    emulator.clearRequests();
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    expect(up.code).not.toBe(0);
    const output = up.stdout + up.stderr;
    expect(output).toMatch(/401/);
    expect(output).not.toContain(wrongKey);
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(emulator.requests.every((r) => r.status === 401)).toBe(true);
    expect(snapshot(emulator)).toBe(before);
  }, 120_000);
});
