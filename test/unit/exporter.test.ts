// jobrouter-export's generator: references, secrets, defaults, determinism, selection, and that both styles
// type-check against the package with strict TypeScript and are prettier-clean.

import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import * as prettier from "prettier";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JobRouterClient } from "../../provider/client";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { exportFrom, exportNamespace, idMatcher, readNamespace, type Namespace } from "../../exporter";
import { main, parseArgs } from "../../exporter/cli";
import { packageSpecValue } from "../../exporter/project";
import { APP_KEY, buildNamespace, CLIENT_SECRET, FUNCTION_KEY } from "../fixtures/export/namespace";

const repoRoot = path.resolve(__dirname, "..", "..");

let emulator: RunningEmulator;
let client: JobRouterClient;
let namespace: Namespace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  client = JobRouterClient.fromConnectionString(emulator.connectionString);
  await buildNamespace(client);
  namespace = await readNamespace(client);
});
afterAll(async () => {
  await emulator.close();
});

/** `Class:name` of every resource the program declares, in program order. */
function ids(result: { files: Readonly<Record<string, string>> }): string[] {
  const program = result.files["index.ts"] ?? "";
  return [...program.matchAll(/new (\w+)\("([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
}

describe("references", () => {
  it("writes references to exported objects as <variable>.id, in dependency order", async () => {
    const program = (await exportFrom(namespace)).files["index.ts"] ?? "";
    expect(program).toContain("distributionPolicyId: longestIdleDistribution.id");
    expect(program).toContain("exceptionPolicyId: escalationExceptions.id");
    expect(program).toContain("fallbackQueueId: supportQueue.id"); // vip → support
    expect(program).toContain("fallbackQueueId: salesQueue.id"); // triage → sales
    expect(program).toContain("queueId: overflowQueue.id"); // manualReclassify
    expect(program).toMatch(/key: "Id",\s+labelOperator: "equal",\s+value: salesQueue\.id/);
    expect(program).toMatch(/key: "Id",\s+labelOperator: "equal",\s+value: supportQueue\.id/);
    // Every variable is declared before it is used.
    for (const m of program.matchAll(/(\w+)\.id\b/g)) {
      const declared = program.indexOf(`const ${m[1]} =`);
      expect(declared, m[1]).toBeGreaterThanOrEqual(0);
      expect(declared, m[1]).toBeLessThan(m.index);
    }
  });

  it("keeps a label value that names no exported queue as a string", async () => {
    const program = (await exportFrom(namespace)).files["index.ts"] ?? "";
    expect(program).toMatch(/value: "partner-queue"/);
  });

  it("breaks a reference cycle with an id string and says why", async () => {
    const program = (await exportFrom(namespace)).files["index.ts"] ?? "";
    // sales → escalation → (reclassify) triage → (fallback) sales: the exception policy comes first.
    expect(program).toMatch(
      /\/\/ classification policy "triage": kept as its id, because the references form a cycle\s+classificationPolicyId: "triage"/,
    );
  });

  it("keeps ids outside the export as strings with a comment", async () => {
    const ns: Namespace = {
      distributionPolicies: [],
      exceptionPolicies: [],
      classificationPolicies: [],
      queues: [{ collection: "queues", id: "q1", spec: { distributionPolicyId: "managed-elsewhere" } }],
    };
    const program = (await exportFrom(ns)).files["index.ts"] ?? "";
    expect(program).toMatch(
      /\/\/ distribution policy "managed-elsewhere" is not part of this export: kept as its id\s+distributionPolicyId: "managed-elsewhere"/,
    );
  });

  it("writes ContactCenter references as keys, and {id} where a key would close a cycle", async () => {
    const program = (await exportFrom(namespace, { style: "contact-center" })).files["index.ts"] ?? "";
    expect(program).toMatch(/ {4}sales: \{\s+name: "Sales",\s+distributionPolicy: "longest-idle",/);
    expect(program).toMatch(/ {6}exceptionPolicy: "escalation",\n {4}\},/);
    expect(program).toContain('queue: "overflow"');
    expect(program).toMatch(/classificationPolicy: \{\s+id: "triage",\s+\}/);
    expect(program).toContain('fallbackQueue: "sales"');
    expect(program).not.toMatch(/distributionPolicyId|fallbackQueueId|exceptionPolicyId/);
  });
});

describe("contact-center style limits", () => {
  it("refuses a queue without a distribution policy, naming it and the way out", async () => {
    const ns: Namespace = {
      distributionPolicies: [],
      exceptionPolicies: [],
      classificationPolicies: [],
      queues: [{ collection: "queues", id: "bare", spec: { name: "Bare" } }],
    };
    await expect(exportFrom(ns, { style: "contact-center" })).rejects.toThrow(
      /queue "bare": has no distributionPolicyId.*--style resources/,
    );
  });
});

describe("secrets", () => {
  it("reads every credential from secret config and writes no credential value", async () => {
    for (const style of ["resources", "contact-center"] as const) {
      const result = await exportFrom(namespace, { style });
      const all = Object.values(result.files).join("\n");
      for (const secret of [FUNCTION_KEY, APP_KEY, CLIENT_SECRET]) expect(all).not.toContain(secret);
      expect(result.secrets.map((s) => s.configName)).toEqual([
        "bestFunctionDistributionFunctionKey",
        "bestWebhookDistributionClientSecret",
        "triageClassificationAppKey",
        "triageClassificationClientSecret",
      ]);
      for (const s of result.secrets) {
        expect(all).toMatch(new RegExp(`config\\.requireSecret\\(\\s*${JSON.stringify(s.configName)},?\\s*\\)`));
      }
    }
  });

  it("treats a key in a function URI's query as a secret", async () => {
    const ns: Namespace = {
      distributionPolicies: [
        {
          collection: "distributionPolicies",
          id: "fn",
          spec: {
            mode: {
              kind: "bestWorker",
              scoringRule: { kind: "function", functionUri: "https://f.example.net/api/s?code=SECRETCODE" },
            },
          },
        },
      ],
      exceptionPolicies: [],
      classificationPolicies: [],
      queues: [],
    };
    const result = await exportFrom(ns);
    expect(Object.values(result.files).join("\n")).not.toContain("SECRETCODE");
    expect(result.secrets.map((s) => s.configName)).toEqual(["fnDistributionFunctionUri"]);
  });
});

describe("defaults and values", () => {
  it("leaves out what the service fills in, and keeps label types", async () => {
    const em = await startEmulator({ port: 0 });
    try {
      const c = JobRouterClient.fromConnectionString(em.connectionString);
      await c.upsert("distributionPolicies", "d", {
        offerExpiresAfterSeconds: 10,
        mode: {
          kind: "bestWorker",
          minConcurrentOffers: 1,
          maxConcurrentOffers: 1,
          bypassSelectors: false,
          scoringRule: { kind: "expression", language: "powerFx", expression: "1" },
          scoringRuleOptions: {
            batchSize: 20,
            isBatchScoringEnabled: false,
            descendingOrder: true,
            scoringParameters: ["jobLabels", "workerSelectors"],
          },
        },
      });
      await c.upsert("queues", "q", { distributionPolicyId: "d", labels: { s: "x", n: 3, f: 0.5, b: false } });
      const program = (await exportNamespace(c)).files["index.ts"] ?? "";
      for (const gone of [
        "minConcurrentOffers",
        "maxConcurrentOffers",
        "bypassSelectors",
        "language",
        "scoringRuleOptions",
        '"Id"',
        "etag",
      ]) {
        expect(program, gone).not.toContain(gone);
      }
      expect(program).toMatch(/labels: \{\s+b: false,\s+f: 0\.5,\s+n: 3,\s+s: "x",\s+\}/);
      expect(program).toContain('new RouterQueue("q", {');
      expect((program.match(/^ +adoptExisting: true,$/gm) ?? []).length).toBe(2);
    } finally {
      await em.close();
    }
  });
});

describe("defaults the service fills into policies' selectors and scoring options (issue 22)", () => {
  it("leaves out expedite false, status active and the filled scoring members; keeps what differs from them", async () => {
    const em = await startEmulator({ port: 0 });
    try {
      const c = JobRouterClient.fromConnectionString(em.connectionString);
      await c.upsert("distributionPolicies", "best", {
        offerExpiresAfterSeconds: 10,
        mode: {
          kind: "bestWorker",
          scoringRule: { kind: "expression", expression: "1" },
          scoringRuleOptions: { descendingOrder: false },
        },
      });
      await c.upsert("classificationPolicies", "cp", {
        workerSelectorAttachments: [
          { kind: "static", workerSelector: { key: "lang", labelOperator: "equal", value: "en" } },
          {
            kind: "conditional",
            condition: { kind: "static", value: true },
            workerSelectors: [{ key: "vip", labelOperator: "equal", value: true, expedite: true }],
          },
          {
            kind: "weightedAllocation",
            allocations: [{ weight: 1, workerSelectors: [{ key: "team", labelOperator: "equal", value: "a" }] }],
          },
        ],
      });
      await c.upsert("exceptionPolicies", "ep", {
        exceptionRules: [
          {
            id: "r",
            trigger: { kind: "waitTime", thresholdSeconds: 30 },
            actions: [
              {
                id: "a",
                kind: "manualReclassify",
                workerSelectors: [{ key: "senior", labelOperator: "equal", value: 1 }],
              },
            ],
          },
        ],
      });
      // The service's answers carry the defaults (so the exporter really had them to leave out).
      const live = JSON.stringify([
        await c.get("distributionPolicies", "best"),
        await c.get("classificationPolicies", "cp"),
        await c.get("exceptionPolicies", "ep"),
      ]);
      expect(live).toContain('"expedite":false,"status":"active"');
      expect(live).toContain('"isBatchScoringEnabled":false');
      const program = (await exportNamespace(c)).files["index.ts"] ?? "";
      for (const gone of [
        "expedite: false",
        "status:",
        "isBatchScoringEnabled",
        "scoringParameters",
        "bypassSelectors",
      ]) {
        expect(program, gone).not.toContain(gone);
      }
      // What the program said differently from the defaults stays.
      expect(program).toContain("expedite: true");
      expect(program).toMatch(/scoringRuleOptions: \{\s+descendingOrder: false,\s+\}/);
      expect(program).toMatch(/key: "senior",\s+labelOperator: "equal",\s+value: 1,\s+\}/);
    } finally {
      await em.close();
    }
  });
});

describe("determinism", () => {
  it("gives byte-identical files for the same namespace, whatever the listing and member order", async () => {
    const first = await exportNamespace(client);
    const second = await exportNamespace(client);
    expect(second.files).toEqual(first.files);
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : typeof v === "object" && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    const shuffled: Namespace = {
      distributionPolicies: [...namespace.distributionPolicies].reverse(),
      exceptionPolicies: [...namespace.exceptionPolicies].reverse(),
      queues: [...namespace.queues].reverse().map((o) => ({ ...o, spec: reverseKeys(o.spec) as typeof o.spec })),
      classificationPolicies: [...namespace.classificationPolicies].reverse(),
    };
    expect((await exportFrom(shuffled)).files).toEqual(first.files);
  });
});

describe("selection", () => {
  it("pulls in what the chosen objects refer to, transitively", async () => {
    const vip = await exportFrom(namespace, { collections: ["classificationPolicies"], include: idMatcher(["vip"]) });
    expect(ids(vip)).toEqual(["DistributionPolicy:round-robin", "RouterQueue:support", "ClassificationPolicy:vip"]);
    const hooked = await exportFrom(namespace, { include: idMatcher(["/^hook/"]) });
    expect(ids(hooked)).toEqual(["DistributionPolicy:best-webhook", "RouterQueue:hooked"]);
    const queues = await exportFrom(namespace, { collections: ["queues"], include: idMatcher(["sa*"]) });
    expect(ids(queues).sort()).toEqual(
      [
        "DistributionPolicy:longest-idle",
        "ExceptionPolicy:escalation",
        "ClassificationPolicy:triage",
        "RouterQueue:sales",
        "RouterQueue:overflow",
        "DistributionPolicy:best-expression",
        "RouterQueue:support",
        "DistributionPolicy:round-robin",
      ].sort(),
    );
    expect(queues.counts).toEqual({
      distributionPolicies: 3,
      queues: 3,
      classificationPolicies: 1,
      exceptionPolicies: 1,
    });
  });

  it("matches globs on the whole id and regexes anywhere", () => {
    expect(idMatcher(["sales*"])("sales-emea")).toBe(true);
    expect(idMatcher(["sales*"])("emea-sales")).toBe(false);
    expect(idMatcher(["/emea/"])("x-emea-y")).toBe(true);
    expect(idMatcher(["a?c"])("abc")).toBe(true);
    expect(idMatcher(["a.c"])("abc")).toBe(false);
  });
});

describe("cli arguments", () => {
  it("names the flag and the rule on bad input", () => {
    expect(() => parseArgs([])).toThrow(/--out: is required/);
    expect(() => parseArgs(["--out", "x", "--kinds", "workers"])).toThrow(/--kinds: unknown kind "workers"/);
    expect(() => parseArgs(["--out", "x", "--style", "flat"])).toThrow(/--style: must be resources or contact-center/);
    expect(() => parseArgs(["--out", "x", "--endpoint", "https://a", "--connection-string", "c"])).toThrow(
      /give one of them/,
    );
    expect(parseArgs(["--out=x", "--kinds", "queues,distribution", "--include", "a*"])).toMatchObject({
      out: "x",
      kinds: ["queues", "distributionPolicies"],
      include: ["a*"],
    });
  });

  it("exits 2 naming the rule when there is no connection, before any request", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const before = emulator.requests.length;
      expect(await main(["--out", path.join(repoRoot, ".cache", "exporter-unit", "none")], {})).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(
        /no connection: give --connection-string, set JOBROUTER_CONNECTION_STRING, or give --endpoint/,
      );
      expect(await main(["--out", "x", "--connection-string", "endpoint=https://a/;accesskey=not base64!"], {})).toBe(
        2,
      );
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(/--connection-string: /);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).not.toContain("not base64!");
      expect(emulator.requests.length).toBe(before);
    } finally {
      stderr.mockRestore();
    }
  });

  it("turns a local tarball into a file: dependency and keeps a range as it is", () => {
    expect(packageSpecValue("pulumi-jobrouter@^0.1.0", () => false)).toBe("^0.1.0");
    expect(packageSpecValue("/tmp/p.tgz", () => true)).toBe("file:/tmp/p.tgz");
    expect(packageSpecValue("file:../p.tgz", () => true)).toBe("file:../p.tgz");
  });
});

describe("the generated project", () => {
  const work = path.join(repoRoot, ".cache", "exporter-unit");

  it.each([
    ["resources", undefined],
    ["contact-center", undefined],
    ["resources", "https://contoso.communication.azure.com"],
    ["contact-center", "https://contoso.communication.azure.com"],
  ] as const)(
    "%s style (Entra ID endpoint: %s) type-checks with strict TypeScript and is prettier-clean",
    async (style, entraIdEndpoint) => {
      const result = await exportFrom(namespace, { style, entraIdEndpoint, projectName: `unit-${style}` });
      const program = result.files["index.ts"] ?? "";
      if (entraIdEndpoint === undefined) expect(program).not.toContain("endpoint");
      else expect(program).toContain(`endpoint: "${entraIdEndpoint}"`);
      expect(Object.keys(result.files)).toEqual([
        ".gitignore",
        "Pulumi.yaml",
        "index.ts",
        "package.json",
        "tsconfig.json",
      ]);
      for (const [name, text] of Object.entries(result.files)) {
        if (name === ".gitignore") continue;
        expect(await prettier.format(text, { filepath: name }), name).toBe(text);
      }
      // Inside the repository, so `pulumi-jobrouter` and `@pulumi/pulumi` resolve from its node_modules.
      const dir = path.join(work, `${style}${entraIdEndpoint === undefined ? "" : "-entra"}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      for (const [name, text] of Object.entries(result.files)) await writeFile(path.join(dir, name), text);
      const config = ts.readConfigFile(path.join(dir, "tsconfig.json"), ts.sys.readFile);
      const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dir);
      expect(parsed.options.strict).toBe(true);
      const tsProgram = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
      const diagnostics = ts
        .getPreEmitDiagnostics(tsProgram)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diagnostics).toEqual([]);
    },
    60_000,
  );
});
