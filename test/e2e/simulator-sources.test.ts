// The simulator's configuration sources against the real engine and the emulator: the root program's routing is
// deployed, then a change (escalate after one minute instead of five) is previewed with the CLI's `preview --json`.
// The stack export, the preview and the live namespace must give the configurations the program describes, reading
// the service only with GETs, and the before/after report must not depend on whether "before" came from the state
// or from the live namespace.

import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartRouting } from "../../program/routing";
import { configFromLive, configFromPreview, configFromStackExport, reportJson, simulate } from "../../simulator";
import { scenarioFromArgs } from "../../simulator/cli";
import { configFromContactCenter } from "../../simulator/contactCenter";
import { createHarness, type Harness } from "./harness";

const PROGRAM = `"use strict";
// The root program's routing objects (written beside this file from program/routing.ts), with the escalation
// threshold taken from stack config.
const pulumi = require("@pulumi/pulumi");
const { ContactCenter } = require("pulumi-jobrouter");
const quickstartRouting = require("./routing.json");
const after = new pulumi.Config("sim").getNumber("escalateAfterSeconds") ?? 300;
const routing = structuredClone(quickstartRouting);
routing.exceptionPolicies["escalate-long-waits"].exceptionRules[0].trigger = { kind: "waitTime", thresholdSeconds: after };
const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
const center = new ContactCenter("quickstart", { communicationServices: { existing: { connectionString } }, ...routing });
exports.ids = center.ids;
`;

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];
const traffic = {
  durationSeconds: 4 * 3600,
  warmupSeconds: 1800,
  seed: 9,
  workers: [
    { count: 20, idPrefix: "agent", queues: ["main"], capacity: 1, channels: voice },
    { count: 3, idPrefix: "senior", queues: ["escalations"], capacity: 1, channels: voice },
  ],
  arrivals: [
    {
      channelId: "voice",
      classificationPolicyId: "triage",
      ratePerHour: 220,
      handleSeconds: { exponential: { mean: 300 } },
    },
  ],
};

function escalationThreshold(c: ReturnType<typeof configFromContactCenter>): unknown {
  return c.exceptionPolicies.find((p) => p.id === "escalate-long-waits")?.exceptionRules?.[0]?.trigger;
}

describe("simulation sources from a real stack", () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    h = await createHarness({ name: "simulator-sources" });
    dir = path.join(h.workDir, "program");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "index.js"), PROGRAM);
    await writeFile(path.join(dir, "routing.json"), JSON.stringify(quickstartRouting));
    await writeFile(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: simulator-sources",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: false",
        "main: index.js",
        "",
      ].join("\n"),
    );
    await h.stack({ programDir: dir });
    expect((await h.up()).summary.result).toBe("succeeded");
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("the stack export and the live namespace hold the program's routing", async () => {
    const expected = configFromContactCenter(quickstartRouting);
    const fromState = configFromStackExport(await h.current().exportState());
    const { result: fromLive, requests } = await h.track(() => configFromLive(h.emulator.connectionString));
    expect(requests.length).toBeGreaterThan(0);
    expect([...new Set(requests.map((r) => r.method))]).toEqual(["GET"]);
    // The service adds an `Id` label to every queue (the routing core adds it too, for selectors on Id).
    expect(fromLive.queues.map((q) => q.labels?.Id)).toEqual(["escalations", "main"]);
    for (const q of fromLive.queues) delete q.labels?.Id;
    // The service leaves out concurrency bounds equal to its defaults (1), and answers `bypassSelectors: false`
    // (its default, which the state leaves out): compare what routing reads.
    const modes = [{ kind: "longestIdle" }, { kind: "longestIdle", bypassSelectors: false }];
    for (const [c, mode] of [
      [fromState, modes[0]],
      [fromLive, modes[1]],
    ] as const) {
      expect(c.queues).toEqual(expected.queues);
      expect(c.distributionPolicies).toEqual([
        { id: "longest-idle", name: "Longest idle", offerExpiresAfterSeconds: 60, mode },
      ]);
      expect(expected.distributionPolicies[0]?.mode).toEqual({
        kind: "longestIdle",
        minConcurrentOffers: 1,
        maxConcurrentOffers: 1,
      });
      // ... the expression language equal to its default (powerFx); live reads add empty attachment lists.
      for (const p of c.classificationPolicies) {
        expect([...(p.queueSelectorAttachments ?? []), ...(p.workerSelectorAttachments ?? [])]).toEqual([]);
      }
      expect(c.classificationPolicies).toMatchObject([
        {
          id: "triage",
          name: "Triage",
          fallbackQueueId: "main",
          prioritizationRule: { kind: "expression", expression: "If(job.vip = true, 10, 1)" },
        },
      ]);
      expect(expected.classificationPolicies[0]?.prioritizationRule).toMatchObject({ language: "powerFx" });
      expect(c.exceptionPolicies.map((p) => p.id)).toEqual(["abandon-stale", "escalate-long-waits"]);
      expect(escalationThreshold(c)).toEqual({ kind: "waitTime", thresholdSeconds: 300 });
    }
  });

  it("a preview's steps over the deployed configuration give the proposed one; the report is the same from state or live", async () => {
    await h.current().setConfig({ "sim:escalateAfterSeconds": { value: "60" } });
    const preview = await h.previewJson();
    const before = configFromStackExport(await h.current().exportState());
    const after = configFromPreview(preview, before);
    expect(escalationThreshold(after)).toEqual({ kind: "waitTime", thresholdSeconds: 60 });
    expect(after.queues).toEqual(before.queues);

    const files = path.join(h.workDir, "simulation");
    await mkdir(files, { recursive: true });
    const paths = {
      traffic: path.join(files, "traffic.json"),
      state: path.join(files, "before.json"),
      preview: path.join(files, "preview.json"),
    };
    await writeFile(paths.traffic, JSON.stringify(traffic));
    await writeFile(paths.state, JSON.stringify({ version: 3, deployment: await h.current().exportState() }));
    await writeFile(paths.preview, JSON.stringify(preview));
    const fromState = await simulate(
      await scenarioFromArgs({
        traffic: paths.traffic,
        beforeState: paths.state,
        afterPreview: paths.preview,
        live: false,
      }),
    );
    const { result: fromLive, requests } = await h.track(async () =>
      simulate(
        await scenarioFromArgs(
          { traffic: paths.traffic, afterPreview: paths.preview, live: true },
          { JOBROUTER_CONNECTION_STRING: h.emulator.connectionString },
        ),
      ),
    );
    expect([...new Set(requests.map((r) => r.method))]).toEqual(["GET"]);
    expect(reportJson(fromLive)).toBe(reportJson(fromState));
    const b = fromState.before?.queues.escalations?.arrived ?? 0;
    expect(fromState.after.queues.escalations?.arrived ?? 0).toBeGreaterThan(2 * b);
    // Nothing was deployed by previewing and simulating: the live policy still escalates after five minutes.
    expect(escalationThreshold(await configFromLive(h.emulator.connectionString))).toEqual({
      kind: "waitTime",
      thresholdSeconds: 300,
    });
  });
});
