// What the user hears when something is wrong, through the real engine against the emulator: early (at
// preview, with no request sent, where the input alone shows the problem), once, and with what to do.

import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";
import { PROGRAM_DIR, TYPE_TOKEN, configFor, type ResourceSpec, type ResourceType } from "./providers-fixtures";

function failureOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "succeeded",
    (e: unknown) => String(e),
  );
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The engine's closing "Diagnostics:" section, where each diagnostic is listed once. */
function diagnostics(text: string): string {
  const at = text.lastIndexOf("Diagnostics:");
  return at < 0 ? "" : text.slice(at);
}

interface PreviewCase {
  title: string;
  type: ResourceType;
  args: Record<string, unknown>;
  message: string;
}

const wait = { kind: "waitTime", thresholdSeconds: 60 };

const PREVIEW_REFUSALS: PreviewCase[] = [
  {
    title: "unbalanced prioritization expression",
    type: "ClassificationPolicy",
    args: { prioritizationRule: { kind: "expression", expression: "If(job.vip = true, 10" } },
    message:
      "prioritizationRule.expression: is not a valid PowerFx expression: expected ')' but found end of expression, " +
      'at character 22 (after "If(job.vip = true, 10") [rule: expressionSyntax]',
  },
  {
    title: "webhook rule without webhookUri",
    type: "ClassificationPolicy",
    args: { prioritizationRule: { kind: "webhook", authorizationServerUri: "https://login.example.com/token" } },
    message: "prioritizationRule.webhookUri: is required [rule: required]",
  },
  {
    title: "distribution policy without mode",
    type: "DistributionPolicy",
    args: { offerExpiresAfterSeconds: 30 },
    message:
      "mode: is required (a distribution policy needs a mode: bestWorker, longestIdle or roundRobin) [rule: required]",
  },
  {
    title: "exception rule with actions: []",
    type: "ExceptionPolicy",
    args: { exceptionRules: [{ id: "r", trigger: wait, actions: [] }] },
    message:
      "exceptionRules[0].actions: must contain at least one action (cancel, manualReclassify or reclassify) [rule: nonEmpty]",
  },
  {
    title: "queue without distributionPolicyId",
    type: "RouterQueue",
    args: { name: "No policy" },
    message: "distributionPolicyId: is required [rule: required]",
  },
  {
    title: "queueLength threshold of 0",
    type: "ExceptionPolicy",
    args: {
      exceptionRules: [{ id: "r", trigger: { kind: "queueLength", threshold: 0 }, actions: [{ kind: "cancel" }] }],
    },
    message: "exceptionRules[0].trigger.threshold: must be >= 1 (got 0) [rule: range]",
  },
  {
    title: "NaN offer expiry",
    type: "DistributionPolicy",
    args: { offerExpiresAfterSeconds: { $number: "NaN" }, mode: { kind: "roundRobin" } },
    message: "offerExpiresAfterSeconds: must be a finite number (got NaN) [rule: type]",
  },
];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe("errors: early, once, with the fix", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "errors" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: configFor([]) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it.each(PREVIEW_REFUSALS.map((c) => [c.title, c] as const))("refused at preview: %s", async (_t, c) => {
    const spec: ResourceSpec = { type: c.type, name: "bad", args: c.args };
    await h.current().setConfig(configFor([spec]));
    const { result, requests } = await h.track(() => failureOf(h.previewJson()));
    expect(result).toContain(`pulumi-nodejs:dynamic/jobrouter:${c.type} resource 'bad' has a problem: ${c.message}`);
    expect(requests).toEqual([]);
  });

  it("an unknown PowerFx function is a warning at preview, never a refusal", async () => {
    const spec: ResourceSpec = {
      type: "ClassificationPolicy",
      name: "iff",
      args: { prioritizationRule: { kind: "expression", expression: "Iff(job.vip = true, 10, 1)" } },
    };
    await h.current().setConfig(configFor([spec]));
    const { result, requests } = await h.track(() => h.preview());
    expect(result.stdout).toContain('classification policy "iff": prioritizationRule.expression: calls Iff()');
    expect(result.stdout).toContain("Did you mean If()?");
    expect(occurrences(diagnostics(result.stdout), "calls Iff()")).toBe(1);
    expect(requests).toEqual([]);
  });

  it("a plaintext jobrouter:connectionString is warned about, with the command that fixes it", async () => {
    await h.current().setConfig({
      ...configFor([{ type: "DistributionPolicy", name: "dp", args: { mode: { kind: "roundRobin" } } }]),
      "jobrouter:connectionString": { value: h.emulator.connectionString, secret: false },
    });
    const { result, requests } = await h.track(() => h.preview());
    expect(result.stdout).toContain("jobrouter:connectionString is set in plain text");
    expect(result.stdout).toContain("pulumi config set --secret jobrouter:connectionString");
    expect(occurrences(diagnostics(result.stdout), "is set in plain text")).toBe(1);
    expect(requests).toEqual([]);
    await h.current().setConfig({ "jobrouter:connectionString": { value: h.emulator.connectionString, secret: true } });
    const secret = await h.preview();
    expect(secret.stdout).not.toContain("is set in plain text");
  });

  it("an unreachable endpoint fails at its first attempt, naming the endpoint and the fixes", async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    await h.current().setConfig({
      ...configFor([{ type: "DistributionPolicy", name: "dp", args: { mode: { kind: "roundRobin" } } }]),
      "jobrouter:connectionString": {
        value: `endpoint=${endpoint}/;accesskey=${Buffer.alloc(32, 1).toString("base64")}`,
        secret: true,
      },
    });
    const result = await failureOf(h.up());
    expect(result).toContain(
      `jobrouter: creating distribution policy "dp" failed: GET /routing/distributionPolicies/dp failed: cannot reach ${endpoint}: connection refused`,
    );
    expect(result).toContain("not retried");
    expect(result).toContain(
      "start it in your project (`npx jobrouter-emulator --port <port> --access-key <key> --data <folder>`",
    );
    expect(result).not.toContain("npm start");
    expect(result).toContain("This endpoint comes from the stack config `jobrouter:connectionString`");
    expect(result).not.toContain("attempts");
    await h.current().setConfig({ "jobrouter:connectionString": { value: h.emulator.connectionString, secret: true } });
  });

  it("a wrong access key: the 401 says where the key came from and where the right one is", async () => {
    const wrongKey = Buffer.alloc(32, 7).toString("base64");
    await h.current().setConfig({
      ...configFor([{ type: "DistributionPolicy", name: "dp-key", args: { mode: { kind: "roundRobin" } } }]),
      "jobrouter:connectionString": { value: `endpoint=${h.emulator.endpoint};accesskey=${wrongKey}`, secret: true },
    });
    const result = await failureOf(h.up());
    expect(result).toContain("failed with 401");
    expect(result).toContain(
      "The endpoint and key come from the stack config `jobrouter:connectionString` (pulumi config set --secret jobrouter:connectionString",
    );
    expect(result).toContain("the `--access-key` it was started with");
    expect(result).not.toContain(wrongKey);
    await h.current().setConfig({ "jobrouter:connectionString": { value: h.emulator.connectionString, secret: true } });
  });

  it("an endpoint that answers 404 to everything is named as not a Job Router, not as a missing object", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<h1>Not Found</h1>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await h.current().setConfig({
        ...configFor([{ type: "DistributionPolicy", name: "dp-404", args: { mode: { kind: "roundRobin" } } }]),
        "jobrouter:connectionString": {
          value: `endpoint=${endpoint}/;accesskey=${Buffer.alloc(32, 1).toString("base64")}`,
          secret: true,
        },
      });
      const result = await failureOf(h.up());
      expect(result).toContain("PATCH /routing/distributionPolicies/dp-404 failed with 404");
      expect(result).toContain("so this endpoint is not a Job Router: check the endpoint");
      expect(result).toContain("This endpoint comes from the stack config `jobrouter:connectionString`");
      expect(result).not.toContain("no object with this id exists");
    } finally {
      server.close();
    }
    await h.current().setConfig({ "jobrouter:connectionString": { value: h.emulator.connectionString, secret: true } });
  });

  it("throttling is retried, said while it goes on, and the final error counts the attempts", async () => {
    h.emulator.setFaults({ errorRate: 1, errorStatus: 429, retryAfterSeconds: 0, paths: /dp-throttled/ });
    try {
      await h
        .current()
        .setConfig(
          configFor([{ type: "DistributionPolicy", name: "dp-throttled", args: { mode: { kind: "roundRobin" } } }]),
        );
      const { result, requests } = await h.track(() => failureOf(h.up()));
      expect(result).toContain(
        "jobrouter: GET /routing/distributionPolicies/dp-throttled: the service answered 429 again and again; still retrying (attempt 4",
      );
      expect(result).toContain(
        'jobrouter: creating distribution policy "dp-throttled" failed: GET /routing/distributionPolicies/dp-throttled failed with 429',
      );
      expect(result).toContain("9 attempts were made");
      expect(requests.filter((r) => r.path === "/routing/distributionPolicies/dp-throttled")).toHaveLength(9);
    } finally {
      h.emulator.setFaults(undefined);
    }
    await h.current().setConfig(configFor([]));
    await h.up();
  });

  it("a refused delete names the objects in the way, once, without a stack trace", async () => {
    await h
      .current()
      .setConfig(
        configFor([{ type: "DistributionPolicy", name: "dp-shared", args: { mode: { kind: "roundRobin" } } }]),
      );
    await h.up();
    expect(
      (await h.request("PATCH", "/routing/queues/made-by-hand", { distributionPolicyId: "dp-shared" })).status,
    ).toBe(201);
    await h.current().setConfig(configFor([]));
    const { result, requests } = await h.track(() => failureOf(h.up()));
    expect(result).toContain(
      'jobrouter: cannot delete distribution policy "dp-shared": the service refused (400 BadRequest) because these still use it: ' +
        'queue "made-by-hand" (through distributionPolicyId): delete the queue or point it at another policy',
    );
    // Said with the resource and once in the closing summary; no stderr echo under the stack, no stack trace.
    const stdout = result.slice(0, result.indexOf(" err?:"));
    expect(occurrences(diagnostics(stdout), 'because these still use it: queue "made-by-hand"')).toBe(1);
    expect(stdout).not.toContain("so Pulumi deletes or repoints them first.: ");
    expect(stdout).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(requests.filter((r) => r.method === "DELETE").map((r) => `${r.path} ${r.status}`)).toEqual([
      "/routing/distributionPolicies/dp-shared 400",
    ]);
    expect((await h.request("DELETE", "/routing/queues/made-by-hand")).status).toBe(204);
    await h.up();
    expect(await h.resources(TYPE_TOKEN("DistributionPolicy"))).toEqual([]);
  });

  it("diffs index exception rules as the program wrote them", async () => {
    const rules = (zWait: number): ResourceSpec[] => [
      {
        type: "ExceptionPolicy",
        name: "ep",
        args: {
          exceptionRules: [
            { id: "z-first", trigger: { kind: "waitTime", thresholdSeconds: zWait }, actions: [{ kind: "cancel" }] },
            { id: "a-second", trigger: { kind: "queueLength", threshold: 5 }, actions: [{ kind: "cancel" }] },
          ],
        },
      },
    ];
    await h.current().setConfig(configFor(rules(60)));
    await h.up();
    await h.current().setConfig(configFor(rules(90)));
    const { result: preview, requests } = await h.track(() => h.previewJson());
    const step = preview.steps.find((s) => s.urn.endsWith("::ep"));
    expect(step?.op).toBe("update");
    expect(Object.keys(step?.detailedDiff ?? {})).toEqual(["exceptionRules[0].trigger.thresholdSeconds"]);
    expect(requests).toEqual([]);
    // Reordering alone is no change.
    const reordered = rules(60);
    const args = reordered[0]?.args as { exceptionRules: unknown[] };
    args.exceptionRules.reverse();
    await h.current().setConfig(configFor(reordered));
    const same = await h.previewJson();
    expect(same.steps.filter((s) => s.urn.endsWith("::ep") && s.op !== "same")).toEqual([]);
    expect(same.changeSummary?.["update"]).toBeUndefined();
  });
});

describe("ContactCenter declaration errors, through the Node language host", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "errors-cc" });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("are printed as the message alone (no stack trace), before anything is sent", async () => {
    const routing = {
      distributionPolicies: { idle: { offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } } },
      queues: { legacy: { distributionPolicy: "idle", exceptionPolicy: "escalate" } },
    };
    await h.stack(
      { programDir: path.join(__dirname, "contact-center-program") },
      { config: { "e2e:routing": { value: JSON.stringify(routing) } } },
    );
    const { result, requests } = await h.track(() => failureOf(h.preview()));
    expect(result).toContain(
      'ContactCenter "contoso": queues.legacy.exceptionPolicy: unknown exception policy key "escalate" (declared exceptionPolicies keys: none)',
    );
    expect(result).not.toContain("failed with an unhandled exception");
    expect(result).not.toContain("ContactCenterValidationError:");
    expect(result).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(requests).toEqual([]);
  });

  it("a routing object's check failure names the component, the key and the argument", async () => {
    const routing = {
      distributionPolicies: { idle: { offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } } },
      queues: { main: { distributionPolicy: "idle" } },
      classificationPolicies: {
        triage: {
          fallbackQueue: "main",
          prioritizationRule: { kind: "expression", expression: "If(job.vip = true, 10" },
        },
      },
    };
    await h.current().setConfig({ "e2e:routing": { value: JSON.stringify(routing) } });
    const { result, requests } = await h.track(() => failureOf(h.preview()));
    expect(result).toContain(
      "resource 'contoso-cp-triage' has a problem: ContactCenter \"contoso\" classificationPolicies.triage.prioritizationRule.expression: " +
        "is not a valid PowerFx expression: expected ')' but found end of expression",
    );
    expect(requests).toEqual([]);
  });
});
