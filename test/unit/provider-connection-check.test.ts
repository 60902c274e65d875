// A changed connection is checked before it is recorded, and refresh drops an object only when it was really deleted
// (provider/connectionCheck.ts): the provider methods against two in-process emulators and a server that answers 404
// to everything, without the Pulumi engine. The same scenarios through the real engine: test/e2e/connection-change.test.ts.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import * as engine from "../../provider/engine";
import { checkInputs } from "../../provider/check";
import type { JsonObject } from "../../provider/json";

let home: RunningEmulator;
let elsewhere: RunningEmulator;
let notRouter: Server;
let notRouterEndpoint: string;
let journalDir: string;
const none = { config: () => undefined, env: () => undefined };

beforeAll(async () => {
  home = await startEmulator({ port: 0 });
  elsewhere = await startEmulator({ port: 0 });
  notRouter = createServer((_req, res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<h1>Not Found</h1>");
  });
  await new Promise<void>((resolve) => notRouter.listen(0, "127.0.0.1", resolve));
  notRouterEndpoint = `http://127.0.0.1:${(notRouter.address() as AddressInfo).port}/`;
  journalDir = await mkdtemp(path.join(os.tmpdir(), "jr-connection-check-"));
  process.env["PULUMI_JOBROUTER_JOURNAL_DIR"] = journalDir;
});

afterAll(async () => {
  await home?.close();
  await elsewhere?.close();
  await new Promise<void>((resolve) => notRouter.close(() => resolve()));
  delete process.env["PULUMI_JOBROUTER_JOURNAL_DIR"];
  await rm(journalDir, { recursive: true, force: true });
});

beforeEach(() => {
  home.clearRequests();
  elsewhere.clearRequests();
});

/** The checked inputs of a distribution policy through `connection`, as the engine would pass them. */
function inputs(id: string, connection: unknown, extra: JsonObject = {}): JsonObject {
  const out = checkInputs("distributionPolicies", { distributionPolicyId: id, connection, ...extra }, none);
  expect(out.failures).toEqual([]);
  return out.inputs;
}

const log = (e: RunningEmulator): string[] => e.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
const origin = (endpoint: string): string => endpoint.replace(/\/$/, "");

async function created(id: string): Promise<JsonObject> {
  const { outs } = await engine.create(
    "distributionPolicies",
    inputs(id, home.connectionString, { mode: { kind: "longestIdle" } }),
  );
  home.clearRequests();
  return outs;
}

describe("update through a new connection", () => {
  it("a wrong key: fails with the 401 message, says where the key came from, sends no write", async () => {
    const outs = await created("cc-wrong");
    const wrongKey = randomBytes(32).toString("base64");
    const news = inputs(
      "cc-wrong",
      { endpoint: home.endpoint, accessKey: wrongKey, source: "config" },
      { mode: { kind: "longestIdle" } },
    );
    const err = (await engine.update("distributionPolicies", "cc-wrong", outs, news).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      `jobrouter: cannot move distribution policy "cc-wrong" to the new connection: ${origin(home.endpoint)} refused ` +
        "the access key (401 Unauthorized). The key comes from the stack config `jobrouter:connectionString`. Nothing " +
        `was written and nothing recorded: the state keeps the previous connection (${String(outs["connectedTo"])}).`,
    );
    expect(err.message).not.toContain(wrongKey);
    expect(log(home)).toEqual(["GET /routing/distributionPolicies/cc-wrong 401"]);
  });

  it("another namespace that lacks the object: fails naming both endpoints and the id", async () => {
    const outs = await created("cc-moved");
    const news = inputs("cc-moved", elsewhere.connectionString, { mode: { kind: "longestIdle" } });
    const err = (await engine.update("distributionPolicies", "cc-moved", outs, news).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      `jobrouter: cannot move distribution policy "cc-moved" to the new connection: it does not exist at the new ` +
        `endpoint ${origin(elsewhere.endpoint)} (GET /routing/distributionPolicies/cc-moved answered 404), while this ` +
        `stack manages it at ${origin(home.endpoint)}.`,
    );
    expect(log(elsewhere)).toEqual(["GET /routing/distributionPolicies/cc-moved 404"]);
    expect(log(home)).toEqual([]);
  });

  it("the same object through the new connection: one read, no write, the new connection recorded", async () => {
    const outs = await created("cc-same");
    // The same namespace under another key: an emulator has one key, so the object is copied across to stand for it.
    const { JobRouterClient } = await import("../../provider/client");
    await JobRouterClient.fromConnectionString(elsewhere.connectionString).upsert("distributionPolicies", "cc-same", {
      mode: { kind: "longestIdle" },
    });
    elsewhere.clearRequests();
    const news = inputs("cc-same", elsewhere.connectionString, { mode: { kind: "longestIdle" } });
    const { outs: after } = await engine.update("distributionPolicies", "cc-same", { ...outs }, news);
    expect(log(elsewhere)).toEqual(["GET /routing/distributionPolicies/cc-same 200"]);
    expect(after["connectedTo"]).toBe(news["connectedTo"]);
    expect(after["connectedTo"]).not.toBe(outs["connectedTo"]);
  });
});

describe("refresh (read) drops an object only when it was really deleted", () => {
  it("404 through the recorded connection from a namespace that lists: dropped", async () => {
    const outs = await created("cc-gone");
    await engine.remove("distributionPolicies", "cc-gone", outs);
    home.clearRequests();
    expect(await engine.read("distributionPolicies", "cc-gone", outs)).toEqual({ id: "" });
    expect(log(home)).toEqual([
      "GET /routing/distributionPolicies/cc-gone 404",
      "GET /routing/distributionPolicies 200",
    ]);
  });

  it("404 through another connection than the recorded one: kept, naming both", async () => {
    const outs = await created("cc-other");
    const props = { ...outs, connection: elsewhere.connectionString };
    const err = (await engine.read("distributionPolicies", "cc-other", props).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      `jobrouter: refresh kept distribution policy "cc-other": it is not at ${origin(elsewhere.endpoint)} (404), but ` +
        `this stack last read or wrote it through another connection (${String(outs["connectedTo"])})`,
    );
    expect(err.message).toContain("Nothing was dropped from the state.");
  });

  it("404 from an endpoint that is not a Job Router (404 to everything): kept, saying so", async () => {
    const key = randomBytes(32).toString("base64");
    const props = { distributionPolicyId: "cc-x", connection: `endpoint=${notRouterEndpoint};accesskey=${key}` };
    const err = (await engine.read("distributionPolicies", "cc-x", props).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      `jobrouter: refresh kept distribution policy "cc-x": ${origin(notRouterEndpoint)} answers 404 for it, and listing ` +
        "the collection failed too",
    );
    expect(err.message).toContain("the endpoint does not behave as a Job Router");
    expect(err.message).toContain("Nothing was dropped from the state.");
    expect(err.message).not.toContain(key);
  });

  it("401: kept, with where the key came from and how to record a rotated key", async () => {
    const outs = await created("cc-401");
    const wrongKey = randomBytes(32).toString("base64");
    const props = { ...outs, connection: { endpoint: home.endpoint, accessKey: wrongKey, source: "env" } };
    const err = (await engine.read("distributionPolicies", "cc-401", props).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      `jobrouter: cannot refresh distribution policy "cc-401": ${origin(home.endpoint)} refused the access key (401 ` +
        "Unauthorized). The key comes from the environment variable JOBROUTER_CONNECTION_STRING. Nothing was dropped " +
        "from the state.",
    );
    expect(err.message).toContain("If the key was rotated, set the new one");
    expect(err.message).not.toContain(wrongKey);
  });
});
