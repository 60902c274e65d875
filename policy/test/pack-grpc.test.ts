// The compiled pack, started as the Pulumi CLI starts it (a process that prints its gRPC port) and
// driven through the Analyzer protocol the engine speaks: GetAnalyzerInfo, Configure, Remediate,
// Analyze, AnalyzeStack. This is where enforcement levels and config overrides are resolved (by the
// policy SDK's server), and where secrets arrive as the engine marks them.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzeResponse,
  AnalyzerInfo,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzerPropertyDependencies,
  AnalyzeStackRequest,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
  RemediateResponse,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_SECRET,
  compliantStack,
  exampleStack,
  fixture,
  setPath,
  SIMULATION_EXAMPLE,
  urnOf,
  withChange,
  type TestResource,
} from "./fixtures";

const packDir = path.resolve(__dirname, "..");
/** The engine's marker for a secret value on the wire. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

let pack: ChildProcess | undefined;
let client: AnalyzerClient;

function unary<Req, Res>(
  fn: (req: Req, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    fn(req, (err, res) => (err ? reject(err) : res === undefined ? reject(new Error("empty response")) : resolve(res))),
  );
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [path.join(packDir, "scripts", "build.js")], { encoding: "utf8" });
  expect(build.status, build.stderr + build.stdout).toBe(0);
  // The SDK reads the pack's version from package.json in the working directory, as under the CLI.
  const child = spawn(process.execPath, [path.join(packDir, "dist", "index.js")], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  pack = child;
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}`)));
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  pack?.kill();
});

/** Wire form of a resource's props: secret paths wrapped in the engine's secret marker. */
function wireProps(r: TestResource, secret = true): Struct {
  const props = structuredClone(r.props);
  if (secret) {
    for (const p of r.secretPaths ?? []) {
      const parts = p.split(".");
      let cur: unknown = props;
      for (const k of parts.slice(0, -1))
        cur = typeof cur === "object" && cur !== null ? Reflect.get(cur, k) : undefined;
      const last = parts[parts.length - 1] ?? "";
      if (typeof cur === "object" && cur !== null)
        Reflect.set(cur, last, { [SIG_KEY]: SECRET_SIG, value: Reflect.get(cur, last) });
    }
  }
  // Analyze requests never carry internal keys such as __provider (the engine skips them).
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

function options(): AnalyzerResourceOptions {
  return new AnalyzerResourceOptions().setCustomtimeouts(new AnalyzerResourceOptions.CustomTimeouts());
}

function request(r: TestResource, secret = true): AnalyzeRequest {
  return new AnalyzeRequest()
    .setType(r.type)
    .setName(r.name)
    .setUrn(urnOf(r.type, r.name))
    .setProperties(wireProps(r, secret))
    .setOptions(options());
}

interface Diagnostic {
  policy: string;
  level: string;
  message: string;
  urn: string;
}

const LEVEL_NAMES: Record<number, string> = {
  [EnforcementLevel.ADVISORY]: "advisory",
  [EnforcementLevel.MANDATORY]: "mandatory",
  [EnforcementLevel.DISABLED]: "disabled",
  [EnforcementLevel.REMEDIATE]: "remediate",
};

function diagnostics(res: AnalyzeResponse): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: LEVEL_NAMES[d.getEnforcementlevel()] ?? "?",
    message: d.getMessage(),
    urn: d.getUrn(),
  }));
}

/** What the engine does per resource: the remediation pass, then the analysis pass. */
async function analyze(r: TestResource, secret = true): Promise<Diagnostic[]> {
  const rem = await unary<AnalyzeRequest, RemediateResponse>(client.remediate.bind(client), request(r, secret));
  expect(rem.getRemediationsList()).toEqual([]);
  return diagnostics(await unary<AnalyzeRequest, AnalyzeResponse>(client.analyze.bind(client), request(r, secret)));
}

type Level = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: Record<Level, EnforcementLevel> = {
  advisory: EnforcementLevel.ADVISORY,
  mandatory: EnforcementLevel.MANDATORY,
  disabled: EnforcementLevel.DISABLED,
  remediate: EnforcementLevel.REMEDIATE,
};

/**
 * Sends a policy config the way the engine does after merging the config file with the pack's
 * defaults: every listed policy with its effective level. Policies not listed keep their own.
 */
async function configure(config: Record<string, { level: Level; props?: Record<string, unknown> }>): Promise<void> {
  const req = new ConfigureAnalyzerRequest();
  for (const [name, c] of Object.entries(config)) {
    req
      .getPolicyconfigMap()
      .set(
        name,
        new PolicyConfig()
          .setEnforcementlevel(LEVELS[c.level])
          .setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(c.props ?? {})))),
      );
  }
  await unary<ConfigureAnalyzerRequest, Empty>(client.configure.bind(client), req);
}

describe("the pack over the Analyzer protocol", () => {
  it("describes every policy with its level and config schema", async () => {
    const info = await unary<Empty, AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    expect(info.getName()).toBe("jobrouter-guardrails");
    expect(info.getVersion()).toBe("0.1.0");
    expect(info.getSupportsconfig()).toBe(true);
    const byName = new Map(info.getPoliciesList().map((p) => [p.getName(), p]));
    expect([...byName.keys()].sort()).toEqual([
      "bypass-selectors-allowlist",
      "classification-fallback-queue",
      "concurrent-offers-bounds",
      "contact-center-event-dead-letter",
      "credential-secrecy-probe",
      "exception-policy-wait-time",
      "id-naming-pattern",
      "offer-expiry-bounds",
      "queue-has-exception-policy",
      "references-resolve",
      "rule-credentials-secret",
      "rule-endpoints-https",
      "service-level-guardrail",
    ]);
    expect(byName.get("offer-expiry-bounds")?.getEnforcementlevel()).toBe(EnforcementLevel.MANDATORY);
    expect(byName.get("id-naming-pattern")?.getEnforcementlevel()).toBe(EnforcementLevel.ADVISORY);
    expect(byName.get("contact-center-event-dead-letter")?.getEnforcementlevel()).toBe(EnforcementLevel.ADVISORY);
    // Off until a stack's policy config names its traffic and sets a level: it simulates that stack's callers.
    expect(byName.get("service-level-guardrail")?.getEnforcementlevel()).toBe(EnforcementLevel.DISABLED);
    const schema = byName.get("offer-expiry-bounds")?.getConfigschema()?.getProperties()?.toJavaScript();
    expect(schema).toMatchObject({ maxSeconds: { default: 120 }, minSeconds: { default: 10 } });
  });

  it("passes every resource of the compliant stack, with credentials sent as secrets", async () => {
    await configure({});
    for (const r of compliantStack()) expect(await analyze(r), r.name).toEqual([]);
  });

  it("reports a plaintext credential (the engine's secret marker is what the probe sees)", async () => {
    await configure({});
    const found = await analyze(fixture("dp-standard"), false);
    expect(found).toEqual([
      {
        policy: "rule-credentials-secret",
        level: "mandatory",
        message: expect.stringMatching(
          /mode\.scoringRule\.clientCredential\.clientSecret: is a credential but is not a Pulumi secret/,
        ),
        urn: "",
      },
    ]);
    expect(found[0]?.message).not.toContain(CLIENT_SECRET);
  });

  it("a violation carries the policy's description, then what must hold and how to fix it", async () => {
    await configure({});
    const [d] = await analyze(withChange("dp-standard", "offerExpiresAfterSeconds", 3600));
    expect(d?.message).toBe(
      "A distribution policy's offerExpiresAfterSeconds must lie within the configured bounds.\n" +
        'distribution policy "dp-standard" offerExpiresAfterSeconds: is 3600 s but must lie in [10, 120] seconds. ' +
        "Fix: set offerExpiresAfterSeconds to a number of seconds in [10, 120], or change minSeconds/maxSeconds of offer-expiry-bounds in the policy config.",
    );
  });

  it("enforcement levels are overridable per policy", async () => {
    const http = withChange("dp-standard", "mode.scoringRule.webhookUri", "http://scoring.example.com/score");
    await configure({});
    expect((await analyze(http)).map((d) => [d.policy, d.level])).toEqual([["rule-endpoints-https", "mandatory"]]);
    await configure({ "rule-endpoints-https": { level: "advisory" } });
    expect((await analyze(http)).map((d) => [d.policy, d.level])).toEqual([["rule-endpoints-https", "advisory"]]);
    await configure({ "rule-endpoints-https": { level: "disabled" } });
    expect(await analyze(http)).toEqual([]);
    // And an advisory policy can be made mandatory.
    const badId = withChange("q-sales", "queueId", "Sales_Queue");
    await configure({ "id-naming-pattern": { level: "mandatory" } });
    expect((await analyze(badId)).map((d) => [d.policy, d.level])).toEqual([["id-naming-pattern", "mandatory"]]);
  });

  it("config changes a bound", async () => {
    await configure({ "offer-expiry-bounds": { level: "mandatory", props: { minSeconds: 10, maxSeconds: 30 } } });
    const found = await analyze(fixture("dp-standard"));
    expect(found.map((d) => d.policy)).toEqual(["offer-expiry-bounds"]);
    expect(found[0]?.message).toMatch(/is 60 s but must lie in \[10, 30\] seconds/);
  });

  it("with the probe switched off, the secrecy check fails closed instead of passing", async () => {
    await configure({ "credential-secrecy-probe": { level: "disabled" } });
    const found = await analyze(fixture("dp-standard"));
    expect(found.map((d) => d.policy)).toEqual(["rule-credentials-secret"]);
    expect(found[0]?.message).toMatch(/credential-secrecy-probe did not run/);
  });

  it("stack policies name the resource that holds a dangling reference", async () => {
    await configure({});
    const stack = compliantStack();
    const q = stack.find((r) => r.name === "q-sales");
    if (q) setPath(q.props, "distributionPolicyId", "dp-typo");
    const resources = stack.map((r) => {
      const parent = stack.find((p) => p.name === r.parent);
      const res = new AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(urnOf(r.type, r.name, parent?.type))
        .setProperties(wireProps(r))
        .setOptions(options())
        .setParent(parent ? urnOf(parent.type, parent.name, stack.find((p) => p.name === parent.parent)?.type) : "");
      for (const [k, names] of Object.entries(r.propertyDependencies ?? {})) {
        res
          .getPropertydependenciesMap()
          .set(
            k,
            new AnalyzerPropertyDependencies().setUrnsList(
              names.map((n) => urnOf(stack.find((x) => x.name === n)?.type ?? "", n)),
            ),
          );
      }
      return res;
    });
    const res = await unary<AnalyzeStackRequest, AnalyzeResponse>(
      client.analyzeStack.bind(client),
      new AnalyzeStackRequest().setResourcesList(resources),
    );
    expect(diagnostics(res)).toEqual([
      {
        policy: "references-resolve",
        level: "mandatory",
        message: expect.stringMatching(
          /queue "q-sales" distributionPolicyId: "dp-typo" must be the id of a distribution policy in this stack/,
        ),
        urn: urnOf(q?.type ?? "", "q-sales"),
      },
    ]);
  });
});

describe("service-level-guardrail over the Analyzer protocol", () => {
  it("reports a traffic file naming a renamed queue as its own violation, and the other policies' results still show", async () => {
    await configure({
      "service-level-guardrail": {
        level: "mandatory",
        props: {
          trafficFile: path.join(SIMULATION_EXAMPLE, "traffic.json"),
          minServiceLevel: 0.6,
          queueBounds: { escalations: { minServiceLevel: 0 } },
        },
      },
    });
    // The queue's key renamed: the classification policy's fallback still names "support-inhouse", and so does the
    // traffic file's in-house worker group.
    const stack = exampleStack();
    const renamed = stack.find((r) => r.name === "support-inhouse");
    if (renamed) setPath(renamed.props, "queueId", "support-site-a");
    const resources = stack.map((r) =>
      new AnalyzerResource()
        .setType(r.type)
        .setName(r.name)
        .setUrn(urnOf(r.type, r.name))
        .setProperties(wireProps(r))
        .setOptions(options()),
    );
    const res = await unary<AnalyzeStackRequest, AnalyzeResponse>(
      client.analyzeStack.bind(client),
      new AnalyzeStackRequest().setResourcesList(resources),
    );
    const found = diagnostics(res);
    const byPolicy = (name: string): Diagnostic[] => found.filter((d) => d.policy === name);
    expect(byPolicy("references-resolve").length).toBeGreaterThan(0);
    expect(byPolicy("references-resolve")[0]?.message).toContain("support-inhouse");
    const guardrail = byPolicy("service-level-guardrail").map((d) => [d.level, d.message]);
    expect(guardrail).toEqual([
      [
        "mandatory",
        expect.stringMatching(
          /the stack's routing cannot be simulated: classificationPolicies\[0\]\.fallbackQueueId: names queue "support-inhouse", which is not in this configuration\. Fix: /,
        ),
      ],
      [
        "mandatory",
        expect.stringMatching(
          /the traffic in .*traffic\.json does not fit the stack's routing: traffic\.workers\[1\]\.queues\[0\]: names queue "support-inhouse", which is not in the configuration \(its queues: "escalations", "sales", "support-partner", "support-site-a"\)\. Fix: update .*traffic\.json to the stack/,
        ),
      ],
    ]);
    await configure({});
  });
});
