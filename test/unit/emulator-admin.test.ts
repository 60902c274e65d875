// Admin handlers driven directly (no HTTP): refusals that combine admin and runtime reasons, merge patch,
// and ETag formats.

import { describe, expect, it } from "vitest";
import { createAdminHandler } from "../../emulator/admin";
import { createErrorFactory } from "../../emulator/errors";
import { EtagFactory } from "../../emulator/etag";
import type { EmulatorRequest, JsonValue } from "../../emulator/http";
import { canonicalJson, mergePatch } from "../../emulator/mergePatch";
import type { BlockingReference, RuntimeExtension } from "../../emulator/runtime";
import { MemoryStore } from "../../emulator/store";
import type { AdminCollection } from "../../provider/client/models";

function fakeRuntime(
  reasons: Partial<Record<AdminCollection, BlockingReference[]>>,
): Pick<RuntimeExtension, "referencesTo"> {
  return { referencesTo: (collection) => reasons[collection] ?? [] };
}

function request(method: string, path: string, body?: JsonValue): EmulatorRequest {
  return {
    method,
    path,
    segments: path.replace(/^\/routing\//, "").split("/"),
    query: { "api-version": "2023-11-01" },
    headers: body === undefined ? {} : { "content-type": "application/merge-patch+json" },
    rawBody: body === undefined ? "" : JSON.stringify(body),
    body,
    now: new Date("2026-03-01T12:00:00.500Z"),
  };
}

async function setup(reasons: Partial<Record<AdminCollection, BlockingReference[]>>) {
  const store = new MemoryStore();
  const admin = createAdminHandler({
    store,
    errors: createErrorFactory(),
    etags: new EtagFactory(),
    runtime: fakeRuntime(reasons),
  });
  const send = async (method: string, path: string, body?: JsonValue) => {
    const r = await admin.handle(request(method, path, body));
    if (!r) throw new Error(`no answer for ${method} ${path}`);
    return r;
  };
  await send("PATCH", "/routing/distributionPolicies/d", { mode: { kind: "roundRobin" } });
  await send("PATCH", "/routing/queues/q", { distributionPolicyId: "d" });
  await send("PATCH", "/routing/classificationPolicies/c", { fallbackQueueId: "q" });
  return { store, send };
}

describe("admin refusals with runtime reasons", () => {
  it("orders a queue's 409 reasons as recorded: active job, fallback queue, assigned worker", async () => {
    const { send } = await setup({
      queues: [
        { code: "AssignedWorkerWithQueueExist", message: "There is an assigned worker to this queue" },
        { code: "ActiveJobWithQueueExist", message: "There is active job with this queue" },
      ],
    });
    const r = await send("DELETE", "/routing/queues/q");
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      communicationError: {
        code: "Conflict",
        message:
          "Validation failed: \r\n -- : There is active job with this queue\r\n -- : There is classification policy with this queue as fallback queue\r\n -- : There is an assigned worker to this queue",
        target: "/routing/queues/q",
      },
    });
  });

  it("answers a classification policy with active jobs 400 with the runtime's detail, and deletes once it is gone", async () => {
    const reasons: BlockingReference[] = [
      {
        code: "ActiveJobWithClassificationPolicyExist",
        message: "There is active job with this classification policy",
      },
    ];
    const { send, store } = await setup({ classificationPolicies: reasons });
    const r = await send("DELETE", "/routing/classificationPolicies/c");
    expect(r).toEqual({
      status: 400,
      body: {
        communicationError: {
          code: "BadRequest",
          message: "One or more validation errors occurred.",
          target: "/routing/classificationPolicies/c",
          details: [
            {
              code: "ActiveJobWithClassificationPolicyExist",
              message: "There is active job with this classification policy",
            },
          ],
        },
      },
    });
    expect(store.get("classificationPolicies", "c")).toBeDefined();
    reasons.length = 0;
    expect((await send("DELETE", "/routing/classificationPolicies/c")).status).toBe(204);
    expect(store.get("classificationPolicies", "c")).toBeUndefined();
  });

  it("does not ask the runtime about ids that do not exist (204 straight away)", async () => {
    const { send } = await setup({ queues: [{ code: "X", message: "never" }] });
    expect((await send("DELETE", "/routing/queues/ghost")).status).toBe(204);
  });

  it("stores Last-Modified at whole seconds and answers it as an RFC 1123 date", async () => {
    const { send } = await setup({});
    const r = await send("GET", "/routing/queues/q");
    expect(r.headers?.["Last-Modified"]).toBe("Sun, 01 Mar 2026 12:00:00 GMT");
    expect(r.headers?.["ETag"]).toMatch(/^"[0-9a-f]{8}-0000-0700-0000-[0-9a-f]{8}0000"$/);
    // The Cosmos-style tail is the Unix time in hex.
    expect(r.headers?.["ETag"]?.slice(-13, -5)).toBe(
      Math.floor(Date.parse("2026-03-01T12:00:00Z") / 1000).toString(16),
    );
  });
});

describe("mergePatch (RFC 7396)", () => {
  it("follows the RFC's examples", () => {
    // RFC 7396 appendix A, a selection.
    expect(mergePatch({ a: "b" }, { a: "c" })).toEqual({ a: "c" });
    expect(mergePatch({ a: "b" }, { b: "c" })).toEqual({ a: "b", b: "c" });
    expect(mergePatch({ a: "b" }, { a: null })).toEqual({});
    expect(mergePatch({ a: "b", b: "c" }, { a: null })).toEqual({ b: "c" });
    expect(mergePatch({ a: ["b"] }, { a: "c" })).toEqual({ a: "c" });
    expect(mergePatch({ a: { b: "c" } }, { a: { b: "d", c: null } })).toEqual({ a: { b: "d" } });
    expect(mergePatch({ a: [{ b: "c" }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatch([1, 2], { a: "b", c: null })).toEqual({ a: "b" });
    expect(mergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it("does not alias the patch into the result", () => {
    const patch = { labels: { a: 1 }, list: [{ x: 1 }] };
    const out = mergePatch({}, patch) as { labels: Record<string, number>; list: Array<{ x: number }> };
    out.labels["a"] = 2;
    const first = out.list[0];
    if (first) first.x = 2;
    expect(patch).toEqual({ labels: { a: 1 }, list: [{ x: 1 }] });
  });

  it("canonical JSON ignores member order but not array order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
