// The native provider plugin (plugin/, `pulumi-resource-jobrouter`) through the real engine:
//  - a YAML program (runtime: yaml, the language host scripts/ensure-pulumi-yaml builds) deploys the four kinds,
//    previews no changes, updates one property, refreshes and destroys, with the objects on the emulator checked
//    after each step;
//  - `pulumi import jobrouter:index:RouterQueue` of a queue made outside Pulumi, then a preview with no changes;
//  - a Python program (runtime: python, a venv with pulumi from PyPI and the built wheel, run by this repository's
//    Python host) deploys examples/python-quickstart to an https emulator, previews no changes, updates one
//    property; the seed's job walkthrough (scripts/walkthrough.ts) runs on what it deployed; a queue made with the
//    official Python SDK is imported, previewed, refreshed and destroyed; and a Python program manages two
//    namespaces with an explicit `jobrouter.Provider`;
//  - a stack made with the dynamic classes moved to the native types with `aliases`: no changes, no writes.
// The plugin is found on PATH (plugin/bin), as an ambient plugin: the engine looks there before its plugin cache.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { DistributionPolicy, RouterQueue } from "pulumi-jobrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRouterClient, type AdminCollection } from "../../provider/client";
import { SECRET_SIG, SIG_KEY } from "../../plugin/wire";
import { runWalkthrough } from "../../scripts/walkthrough";
import {
  CONNECTION_STRING_KEY,
  createHarness,
  pulumiBinDir,
  repoRoot,
  type Harness,
  type HarnessStack,
} from "./harness";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "pulumi-jobrouter/emulator";

const exec = promisify(execFile);
const pluginBin = path.join(repoRoot, "plugin", "bin");

let h: Harness;
/**
 * The Python programs' own namespace: an https emulator (the official Python SDK dials https only), in this
 * process so that the job walkthrough sees its events. Started before the harness, whose environment every plugin
 * inherits, so that the plugin trusts its certificate (NODE_EXTRA_CA_CERTS).
 */
let primary: RunningEmulator;
let primaryCa = "";
const extraCaBefore = process.env.NODE_EXTRA_CA_CERTS;

beforeAll(async () => {
  const started = Date.now();
  primary = await startEmulator({ port: 0, https: true });
  primaryCa = await readFile(primary.caCertPath ?? "", "utf8");
  process.env.NODE_EXTRA_CA_CERTS = primary.caCertPath;
  const yaml = spawnSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi-yaml")], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (yaml.status !== 0) throw new Error("scripts/ensure-pulumi-yaml failed: YAML programs need pulumi-language-yaml");
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) console.log(`pulumi-language-yaml ready after ${seconds.toFixed(0)} s`);
  // The harness takes its environment from this process's: the YAML host and the plugin go first on PATH.
  // (and this repository's Python host, for the Python program).
  const pythonHost = path.join(repoRoot, "scripts", "pulumi-plugins", "python");
  process.env.PATH = [yaml.stdout.trim(), pluginBin, pythonHost, process.env.PATH ?? ""].join(path.delimiter);
  h = await createHarness({ name: "native-provider" });
}, 900_000);

afterAll(async () => {
  await h?.dispose();
  await primary?.close();
  if (extraCaBefore === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = extraCaBefore;
});

/** `METHOD /routing/<collection>/<id>` of the writes (anything but GET) in a request log. */
function writes(requests: readonly RequestLogEntry[]): string[] {
  return requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
}

async function live(collection: string, id: string): Promise<Record<string, unknown> | undefined> {
  const r = await h.request("GET", `/routing/${collection}/${id}`);
  return r.status === 200 ? (r.body as Record<string, unknown>) : undefined;
}

/** Writes a YAML program into a fresh directory under the harness's work directory. */
async function yamlProgram(name: string, body: string): Promise<string> {
  const dir = path.join(h.workDir, `src-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\n${body}`);
  return dir;
}

async function pulumiCli(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return exec(path.join(pulumiBinDir, "pulumi"), [...args, "--non-interactive"], {
    cwd,
    env: h.env,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The YAML example, as users run it (its ids: longest-idle, escalation, sales, by-region). */
const EXAMPLE = { programDir: "examples/yaml-quickstart" };

describe("a YAML program over the native provider", () => {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[step] = Date.now() - started;
    }
  };

  afterAll(() => {
    const line = Object.entries(timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(", ");
    console.log(`YAML program timings: ${line}`);
  });

  it("deploys the four kinds, previews no changes, updates one property, refreshes and destroys", async () => {
    const stack = await h.stack(EXAMPLE);

    const up = await timed("up", () => stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 5 });
    expect(up.outputs["salesName"]?.value).toBe("Sales");
    const queue = await live("queues", "sales");
    expect(queue).toMatchObject({
      name: "Sales",
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalation",
      labels: { region: "EU", tier: 1 },
    });
    expect(await live("distributionPolicies", "longest-idle")).toMatchObject({
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    expect(await live("classificationPolicies", "by-region")).toMatchObject({ fallbackQueueId: "sales" });
    expect(await live("exceptionPolicies", "escalation")).toMatchObject({
      exceptionRules: [{ id: "long-wait", trigger: { kind: "waitTime", thresholdSeconds: 300 } }],
    });
    // The connection string (stack config, secret) is nowhere in the state in plaintext.
    expect(await stack.stateText()).not.toContain(h.emulator.accessKey);

    const quiet = await h.track(() => timed("preview", () => stack.previewJson()));
    expect(quiet.result.changeSummary).toEqual({ same: 5 });
    expect(writes(quiet.requests)).toEqual([]);

    await stack.setConfig({ "jobrouter-yaml-quickstart:queueName": { value: "Sales EU" } });
    const update = await h.track(() => timed("update", () => stack.up()));
    expect(update.result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
    expect(writes(update.requests)).toEqual(["PATCH /routing/queues/sales"]);
    expect(await live("queues", "sales")).toMatchObject({ name: "Sales EU", labels: { region: "EU", tier: 1 } });

    // Drift made outside Pulumi comes back with refresh, and the next preview shows exactly that field.
    await h.request("PATCH", "/routing/queues/sales", { labels: { tier: 2 } });
    const refresh = await h.track(() => timed("refresh", () => stack.refresh()));
    expect(refresh.result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
    expect(writes(refresh.requests)).toEqual([]);
    const drift = await stack.previewJson();
    expect(drift.changeSummary).toEqual({ same: 4, update: 1 });

    const destroy = await timed("destroy", () => stack.destroy());
    expect(destroy.summary.resourceChanges).toEqual({ delete: 5 });
    for (const [c, id] of [
      ["queues", "sales"],
      ["distributionPolicies", "longest-idle"],
      ["classificationPolicies", "by-region"],
      ["exceptionPolicies", "escalation"],
    ] as const) {
      expect(await live(c, id), `${c}/${id} after destroy`).toBeUndefined();
    }
  });

  it("imports a queue made outside Pulumi, then previews no changes", async () => {
    expect(
      (
        await h.request("PATCH", "/routing/distributionPolicies/outside-policy", {
          offerExpiresAfterSeconds: 30,
          mode: { kind: "roundRobin" },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await h.request("PATCH", "/routing/queues/sales", {
          name: "Sales",
          distributionPolicyId: "outside-policy",
          labels: { region: "EU" },
        })
      ).status,
    ).toBe(201);
    const dir = await yamlProgram(
      "native-import",
      `resources:
  sales:
    type: jobrouter:index:RouterQueue
    properties:
      queueId: sales
      name: Sales
      distributionPolicyId: outside-policy
      labels:
        region: EU
`,
    );
    const stack = await h.stack({ programDir: dir });
    const imported = await h.track(() =>
      timed("import", () =>
        pulumiCli(
          [
            "import",
            "jobrouter:index:RouterQueue",
            "sales",
            "sales",
            "--yes",
            "--protect=false",
            "--stack",
            stack.name,
          ],
          stack.projectDir,
        ),
      ),
    );
    expect(writes(imported.requests)).toEqual([]);
    const [resource] = await stack.resources("jobrouter:index:RouterQueue");
    expect(resource?.id).toBe("sales");
    expect(resource?.outputs).toMatchObject({
      queueId: "sales",
      name: "Sales",
      distributionPolicyId: "outside-policy",
      // Managed like a created object (docs/native-provider.md, "pulumi import"): the state says so.
      adopted: false,
    });
    expect(imported.result.stdout.replace(/\s+/g, " ")).toContain(
      'jobrouter: RouterQueue "sales" imported queue "sales" (pulumi import), without any write.',
    );

    const preview = await h.track(() => stack.previewJson());
    expect(preview.result.changeSummary).toEqual({ same: 2 });
    expect(writes(preview.requests)).toEqual([]);
    expect(await live("queues", "sales")).toMatchObject({ name: "Sales", labels: { region: "EU" } });

    // Imported without protection, it is the stack's like any other: destroy deletes it.
    const destroyed = await h.track(() => stack.destroy());
    expect(writes(destroyed.requests)).toEqual(["DELETE /routing/queues/sales"]);
    expect(await live("queues", "sales")).toBeUndefined();
    // The policy it used, which the program never named, stays.
    expect(await live("distributionPolicies", "outside-policy")).toMatchObject({ offerExpiresAfterSeconds: 30 });
  });
});

describe("the native provider's checks and explicit providers", () => {
  it("refuses bad input at preview with the dynamic classes' message, before anything is sent", async () => {
    const dir = await yamlProgram(
      "native-bad",
      `resources:
  bad:
    type: jobrouter:index:ClassificationPolicy
    properties:
      queueSelectorAttachments:
        - kind: static
          queueSelector:
            key: region
            labelOperator: equals
            value: EU
`,
    );
    const stack = await h.stack({ programDir: dir });
    const preview = await h.track(() =>
      stack.preview().then(
        () => "succeeded",
        (e: unknown) => String(e),
      ),
    );
    expect(preview.result).toContain(
      'queueSelectorAttachments[0].queueSelector.labelOperator: must be one of equal, notEqual, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual (got "equals")',
    );
    expect(preview.requests).toEqual([]);
  });

  it("warns at preview about a PowerFx function the service will not know, as the dynamic classes do", async () => {
    const dir = await yamlProgram(
      "native-warn",
      `resources:
  iff:
    type: jobrouter:index:ClassificationPolicy
    properties:
      prioritizationRule:
        kind: expression
        expression: Iff(job.vip = true, 10, 1)
`,
    );
    const stack = await h.stack({ programDir: dir });
    const preview = await h.track(() => stack.preview());
    expect(preview.result.stdout).toContain('classification policy "iff": prioritizationRule.expression: calls Iff()');
    expect(preview.result.stdout).toContain("Did you mean If()?");
    expect(preview.requests).toEqual([]);
  });

  it("an explicit provider resource reaches its own namespace, with its connection string kept secret", async () => {
    const eu = await startEmulator({ port: 0 });
    try {
      const dir = await yamlProgram(
        "native-explicit",
        `config:
  euConnection:
    type: string
    secret: true
resources:
  eu:
    type: pulumi:providers:jobrouter
    properties:
      connectionString: \${euConnection}
  euPolicy:
    type: jobrouter:index:DistributionPolicy
    properties:
      distributionPolicyId: eu-policy
      offerExpiresAfterSeconds: 20
      mode:
        kind: roundRobin
    options:
      provider: \${eu}
`,
      );
      const stack = await h.stack({ programDir: dir });
      await stack.setConfig({ "native-explicit:euConnection": { value: eu.connectionString, secret: true } });
      const up = await h.track(() => stack.up());
      expect(up.result.summary.resourceChanges).toEqual({ create: 3 });
      // On the provider's namespace, not on the stack config's.
      expect(writes(eu.requests)).toEqual(["PATCH /routing/distributionPolicies/eu-policy"]);
      expect(writes(up.requests)).toEqual([]);
      expect(await stack.stateText()).not.toContain(eu.accessKey);
      expect((await stack.destroy()).summary.resourceChanges).toEqual({ delete: 3 });
      expect(writes(eu.requests)).toContain("DELETE /routing/distributionPolicies/eu-policy");
    } finally {
      await eu.close();
    }
  });
});

/**
 * A virtual environment with pulumi from PyPI (the SDK's version) and the wheel scripts/python-sdk.js builds from
 * the schema, reused between runs (the wheel is reinstalled each time).
 */
function pythonVenv(): string {
  const venv = path.join(repoRoot, ".cache", "python-native-venv");
  const python = path.join(venv, "bin", "python");
  const step = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  };
  const wheel = step(process.execPath, [path.join(repoRoot, "scripts", "python-sdk.js")]);
  if (!existsSync(python)) {
    step("python3", ["-m", "venv", venv]);
    step(python, ["-m", "pip", "install", "--quiet", `pulumi==${pulumiVersionOf()}`]);
  }
  step(python, ["-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", wheel]);
  step(python, ["-m", "pip", "install", "--quiet", wheel]);
  return venv;
}

function pulumiVersionOf(): string {
  return (
    (
      JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies["@pulumi/pulumi"] ?? ""
  );
}

/**
 * A Python project in a fresh directory under the harness's: `Pulumi.yaml` (default: runtime python) with its
 * virtualenv pointed at the venv `pythonVenv` made, and `__main__.py`.
 */
async function pythonProgram(name: string, venv: string, main: string, yaml?: string): Promise<string> {
  const dir = path.join(h.workDir, `src-${name}`);
  await mkdir(dir, { recursive: true });
  const project = yaml ?? `name: ${name}\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n`;
  if (!project.includes("virtualenv: venv")) throw new Error(`${name}: Pulumi.yaml names no virtualenv: venv`);
  await writeFile(path.join(dir, "Pulumi.yaml"), project.replace("virtualenv: venv", `virtualenv: ${venv}`));
  await writeFile(path.join(dir, "__main__.py"), main);
  return dir;
}

/** A client of the Python program's namespace (the https emulator), trusting its certificate. */
function primaryClient(): JobRouterClient {
  return JobRouterClient.fromConnectionString(primary.connectionString, { extraCaCertificates: [primaryCa] });
}

async function onPrimary(collection: AdminCollection, id: string): Promise<Record<string, unknown> | undefined> {
  return (await primaryClient().tryGet(collection, id)) as Record<string, unknown> | undefined;
}

/** The four kinds of the quickstart, as they are on the emulator (ETags included: any write changes them). */
const QUICKSTART_OBJECTS = [
  ["distributionPolicies", "longest-idle"],
  ["exceptionPolicies", "escalation"],
  ["queues", "sales"],
  ["classificationPolicies", "by-region"],
] as const;

async function snapshot(objects: ReadonlyArray<readonly [AdminCollection, string]>): Promise<unknown[]> {
  return Promise.all(objects.map(([c, id]) => onPrimary(c, id)));
}

/** Resources of the stack's jobrouter types: their inputs and outputs as the state holds them. */
async function jobrouterState(stack: HarnessStack): Promise<Array<{ urn: string; inputs: unknown; outputs: unknown }>> {
  return (await stack.resources())
    .filter((r) => r.type.startsWith("jobrouter:index:"))
    .map((r) => ({ urn: r.urn, inputs: r.inputs, outputs: r.outputs }));
}

/** The code `pulumi import jobrouter:index:RouterQueue support support` asks to add, as docs/python.md shows it. */
const IMPORTED_SUPPORT = `
support = jobrouter.RouterQueue(
    "support",
    queue_id="support",
    name="Support",
    distribution_policy_id="longest-idle",
    labels={"region": "US"},
)
`;

const IMPORT_WARNING =
  'jobrouter: RouterQueue "support" imported queue "support" (pulumi import), without any write. Pulumi manages it ' +
  "like an object it created: deleting this resource (or destroying its stack) deletes the object. To keep it on the " +
  "service, set `leaveOnDelete: true` on the resource or give it the retainOnDelete resource option.";

describe("a Python program over the generated SDK", () => {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      timings[step] = Date.now() - started;
    }
  };
  let venv = "";

  beforeAll(async () => {
    venv = await timed("venv and wheel", async () => pythonVenv());
  }, 900_000);

  afterAll(() => {
    const line = Object.entries(timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(", ");
    console.log(`Python program timings: ${line}`);
  });

  it("deploys the four kinds, previews no changes, updates one property, runs the job walkthrough on them, imports a queue the official SDK made, refreshes and destroys", async () => {
    // The example as users write it, with the venv this test made; run by the repository's Python host. Its
    // namespace is the https emulator (the stack config; the harness's own emulator is not touched).
    const example = path.join(repoRoot, "examples", "python-quickstart");
    const dir = await pythonProgram(
      "jobrouter-python-quickstart",
      venv,
      await readFile(path.join(example, "__main__.py"), "utf8"),
      await readFile(path.join(example, "Pulumi.yaml"), "utf8"),
    );
    const stack = await h.stack(
      { programDir: dir },
      { config: { [CONNECTION_STRING_KEY]: { value: primary.connectionString, secret: true } } },
    );

    primary.clearRequests();
    const up = await timed("up", () => stack.up());
    console.log(`pulumi up of examples/python-quickstart:\n${up.stdout}`);
    expect(up.summary.resourceChanges).toEqual({ create: 5 });
    expect(up.outputs["queue"]?.value).toBe("sales");
    expect(writes(primary.requests).sort()).toEqual([
      "PATCH /routing/classificationPolicies/by-region",
      "PATCH /routing/distributionPolicies/longest-idle",
      "PATCH /routing/exceptionPolicies/escalation",
      "PATCH /routing/queues/sales",
    ]);
    expect(writes(h.requests)).toEqual([]);
    expect(await onPrimary("queues", "sales")).toMatchObject({
      name: "Sales",
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalation",
      labels: { region: "EU" },
    });
    expect(await onPrimary("distributionPolicies", "longest-idle")).toMatchObject({
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    expect(await onPrimary("classificationPolicies", "by-region")).toMatchObject({ fallbackQueueId: "sales" });
    expect(await onPrimary("exceptionPolicies", "escalation")).toMatchObject({
      exceptionRules: [{ id: "long-wait", trigger: { kind: "waitTime", thresholdSeconds: 300 } }],
    });
    expect(await stack.stateText()).not.toContain(primary.accessKey);

    primary.clearRequests();
    const quiet = await timed("preview", () => stack.previewJson());
    expect(quiet.changeSummary).toEqual({ same: 5 });
    expect(writes(primary.requests)).toEqual([]);

    await stack.setConfig({ "jobrouter-python-quickstart:queueName": { value: "Sales EU" } });
    primary.clearRequests();
    const update = await timed("update", () => stack.up());
    expect(update.summary.resourceChanges).toEqual({ same: 4, update: 1 });
    expect(writes(primary.requests)).toEqual(["PATCH /routing/queues/sales"]);
    expect(await onPrimary("queues", "sales")).toMatchObject({ name: "Sales EU", labels: { region: "EU" } });

    // The seed's job walkthrough (scripts/walkthrough.ts, as `npm start` runs it) on what the Python program
    // deployed: the job goes through its classification policy to its queue, is offered under its distribution
    // policy, accepted, completed and closed; the configuration itself is not written.
    const deployed = await snapshot(QUICKSTART_OBJECTS);
    primary.clearRequests();
    const walked = await timed("walkthrough", () =>
      runWalkthrough({
        emulator: primary,
        client: primaryClient(),
        queueId: "sales",
        classificationPolicyId: "by-region",
        closeAtDelayMs: 1500,
        log: () => undefined,
      }),
    );
    expect(walked.offerFromEvent).toBe(walked.offerFromWorker);
    expect(walked.jobs.map((j) => j.statuses)).toEqual([
      ["assigned", "completed", "closed"],
      ["assigned", "completed", "completed", "closed"],
    ]);
    const perJob = [
      "RouterJobReceived",
      "RouterJobClassified",
      "RouterJobQueued",
      "RouterWorkerOfferIssued",
      "RouterWorkerOfferAccepted",
      "RouterJobCompleted",
      "RouterJobClosed",
    ];
    expect(walked.events).toEqual([...perJob.slice(0, 3), "RouterWorkerRegistered", ...perJob.slice(3), ...perJob]);
    expect(writes(primary.requests).filter((w) => /Policies|queues/.test(w))).toEqual([]);
    expect(await snapshot(QUICKSTART_OBJECTS)).toEqual(deployed);

    // A queue made by an application with the official Python SDK, over https, outside Pulumi.
    const python = spawnSync(process.execPath, [path.join(repoRoot, "scripts", "python-env.js")], { encoding: "utf8" });
    if (python.status !== 0) throw new Error(`scripts/python-env.js failed:\n${python.stderr}`);
    const ca = primary.caCertPath ?? "";
    primary.clearRequests();
    const made = await exec(
      python.stdout.trim(),
      [path.join(repoRoot, "test", "python", "sdk-queue.py"), "support", "Support", "longest-idle", '{"region": "US"}'],
      {
        env: {
          ...process.env,
          JOBROUTER_CONNECTION_STRING: primary.connectionString,
          REQUESTS_CA_BUNDLE: ca,
          SSL_CERT_FILE: ca,
        },
      },
    );
    expect(JSON.parse(made.stdout)).toMatchObject({ id: "support", name: "Support" });
    expect(writes(primary.requests)).toEqual(["PATCH /routing/queues/support"]);
    expect(primary.requests.map((r) => r.auth)).toEqual(["hmac"]);
    const sdkMade = await onPrimary("queues", "support");
    expect(sdkMade).toMatchObject({ name: "Support", distributionPolicyId: "longest-idle", labels: { region: "US" } });

    // `pulumi import`, as docs/python.md writes it; it reads, writes nothing, and says what a delete will do.
    // (`--generate-code=false`: this repository's minimal Python host cannot print the code; the official one does.)
    primary.clearRequests();
    const imported = await timed("import", () =>
      stack.cli([
        "import",
        "jobrouter:index:RouterQueue",
        "support",
        "support",
        "--yes",
        "--protect=false",
        "--generate-code=false",
      ]),
    );
    expect(imported.code, `${imported.stdout}\n${imported.stderr}`).toBe(0);
    expect(writes(primary.requests)).toEqual([]);
    expect(imported.stdout.replace(/\s+/g, " ")).toContain(IMPORT_WARNING);
    const [support] = await stack
      .resources("jobrouter:index:RouterQueue")
      .then((rs) => rs.filter((r) => r.id === "support"));
    expect(support?.outputs).toMatchObject({ queueId: "support", name: "Support", adopted: false });
    // The code it asks for, added to the program: the next preview shows no changes and writes nothing.
    await writeFile(
      path.join(stack.projectDir, "__main__.py"),
      `${await readFile(path.join(stack.projectDir, "__main__.py"), "utf8")}${IMPORTED_SUPPORT}`,
    );
    primary.clearRequests();
    const afterImport = await timed("preview after import", () => stack.previewJson());
    expect(afterImport.changeSummary).toEqual({ same: 6 });
    expect(writes(primary.requests)).toEqual([]);
    expect(await onPrimary("queues", "support")).toEqual(sdkMade);

    // Refresh: everything read, nothing written, the objects and the state as they were.
    const objects = [...QUICKSTART_OBJECTS, ["queues", "support"] as const];
    const liveBefore = await snapshot(objects);
    const stateBefore = await jobrouterState(stack);
    primary.clearRequests();
    const refresh = await timed("refresh", () => stack.refresh());
    expect(refresh.summary.resourceChanges).toEqual({ same: 6 });
    expect(writes(primary.requests)).toEqual([]);
    expect(primary.requests.length).toBeGreaterThanOrEqual(5);
    expect(await snapshot(objects)).toEqual(liveBefore);
    expect(await jobrouterState(stack)).toEqual(stateBefore);

    // Destroy: the imported queue goes with the rest (docs/native-provider.md, "pulumi import").
    primary.clearRequests();
    const destroy = await timed("destroy", () => stack.destroy());
    expect(destroy.summary.resourceChanges).toEqual({ delete: 6 });
    expect(writes(primary.requests).filter((w) => w.includes("/queues/support"))).toEqual([
      "DELETE /routing/queues/support",
    ]);
    for (const [c, id] of objects) expect(await onPrimary(c, id), `${c}/${id} after destroy`).toBeUndefined();
  }, 900_000);

  it("manages two namespaces in one program with an explicit jobrouter.Provider", async () => {
    const dir = await pythonProgram(
      "python-two-namespaces",
      venv,
      `import pulumi
import pulumi_jobrouter as jobrouter

config = pulumi.Config()

# The stack's namespace: jobrouter:connectionString.
home = jobrouter.DistributionPolicy(
    "home-policy", offer_expires_after_seconds=30, mode=jobrouter.DistributionModeArgs(kind="roundRobin")
)
jobrouter.RouterQueue("home-queue", name="Home", distribution_policy_id=home.id)

# A second namespace, through an explicit provider.
eu = jobrouter.Provider("eu", connection_string=config.require_secret("euConnection"))
eu_policy = jobrouter.DistributionPolicy(
    "eu-policy",
    offer_expires_after_seconds=20,
    mode=jobrouter.DistributionModeArgs(kind="roundRobin"),
    opts=pulumi.ResourceOptions(provider=eu),
)
jobrouter.RouterQueue(
    "eu-queue", name="EU", distribution_policy_id=eu_policy.id, opts=pulumi.ResourceOptions(provider=eu)
)

# A queue that exists in that namespace, brought in with the import resource option.
jobrouter.RouterQueue(
    "eu-old",
    name="Old",
    distribution_policy_id="eu-old",
    opts=pulumi.ResourceOptions(provider=eu, import_="eu-old"),
)
`,
    );
    // The stack's namespace is the https emulator; "eu" is the harness's own (plain http) emulator.
    const stack = await h.stack(
      { programDir: dir },
      {
        config: {
          [CONNECTION_STRING_KEY]: { value: primary.connectionString, secret: true },
          "python-two-namespaces:euConnection": { value: h.emulator.connectionString, secret: true },
        },
      },
    );
    // Made outside Pulumi in the "eu" namespace: a policy the program never names, and a queue it imports.
    expect(
      (
        await h.request("PATCH", "/routing/distributionPolicies/eu-old", {
          offerExpiresAfterSeconds: 30,
          mode: { kind: "roundRobin" },
        })
      ).status,
    ).toBe(201);
    expect(
      (await h.request("PATCH", "/routing/queues/eu-old", { name: "Old", distributionPolicyId: "eu-old" })).status,
    ).toBe(201);
    primary.clearRequests();
    h.emulator.clearRequests();
    const up = await timed("up, two namespaces", () => stack.up());
    expect(up.summary.resourceChanges).toEqual({ create: 6, import: 1 });
    expect(up.stdout.replace(/\s+/g, " ")).toContain('jobrouter: RouterQueue "eu-old" imported queue "eu-old"');
    expect(writes(h.requests).sort()).toEqual([
      "PATCH /routing/distributionPolicies/eu-policy",
      "PATCH /routing/queues/eu-queue",
    ]);
    expect(writes(primary.requests).sort()).toEqual([
      "PATCH /routing/distributionPolicies/home-policy",
      "PATCH /routing/queues/home-queue",
    ]);
    expect(await live("queues", "eu-queue")).toMatchObject({ name: "EU", distributionPolicyId: "eu-policy" });
    expect(await live("distributionPolicies", "eu-policy")).toMatchObject({ offerExpiresAfterSeconds: 20 });
    expect(await onPrimary("queues", "home-queue")).toMatchObject({
      name: "Home",
      distributionPolicyId: "home-policy",
    });
    expect(await onPrimary("queues", "eu-queue")).toBeUndefined();
    expect(await live("queues", "home-queue")).toBeUndefined();
    // The provider's connection string is a secret input in the state, and neither key is there in plaintext.
    const state = await stack.stateText();
    expect(state).not.toContain(h.emulator.accessKey);
    expect(state).not.toContain(primary.accessKey);
    const [provider] = await stack
      .resources("pulumi:providers:jobrouter")
      .then((rs) => rs.filter((r) => r.urn.endsWith("::eu")));
    expect(provider?.inputs?.["connectionString"]).toMatchObject({ [SIG_KEY]: SECRET_SIG });

    primary.clearRequests();
    h.emulator.clearRequests();
    const quiet = await stack.previewJson();
    expect(quiet.changeSummary).toEqual({ same: 7 });
    expect([...writes(primary.requests), ...writes(h.requests)]).toEqual([]);

    h.emulator.clearRequests();
    expect((await stack.destroy()).summary.resourceChanges).toEqual({ delete: 7 });
    // The imported queue is deleted with the stack (the rule for imports); the policy it used, which the program
    // never named, stays.
    expect(writes(h.requests).sort()).toEqual([
      "DELETE /routing/distributionPolicies/eu-policy",
      "DELETE /routing/queues/eu-old",
      "DELETE /routing/queues/eu-queue",
    ]);
    expect(await live("queues", "eu-old")).toBeUndefined();
    expect(await live("distributionPolicies", "eu-old")).toMatchObject({ offerExpiresAfterSeconds: 30 });
    expect((await h.request("DELETE", "/routing/distributionPolicies/eu-old")).status).toBe(204);
    expect(await live("queues", "eu-queue")).toBeUndefined();
    expect(await live("distributionPolicies", "eu-policy")).toBeUndefined();
    expect(await onPrimary("queues", "home-queue")).toBeUndefined();
    expect(await onPrimary("distributionPolicies", "home-policy")).toBeUndefined();
  }, 900_000);
});

/** The native types from TypeScript, without generated classes: a CustomResource with the type token. */
class NativeResource extends pulumi.CustomResource {
  constructor(typeName: string, name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(`jobrouter:index:${typeName}`, name, args, opts);
  }
}

describe("moving a stack from the dynamic classes to the native types", () => {
  it("with aliases: no changes and no writes, in both directions", async () => {
    const dynamicProgram = async (): Promise<void> => {
      const policy = new DistributionPolicy("mig-policy", {
        offerExpiresAfterSeconds: 45,
        mode: { kind: "roundRobin" },
      });
      new RouterQueue("mig-queue", { name: "Migrated", distributionPolicyId: policy.id, labels: { team: "a" } });
    };
    const nativeProgram = async (): Promise<void> => {
      const policy = new NativeResource(
        "DistributionPolicy",
        "mig-policy",
        { offerExpiresAfterSeconds: 45, mode: { kind: "roundRobin" } },
        { aliases: [{ type: "pulumi-nodejs:dynamic/jobrouter:DistributionPolicy" }] },
      );
      new NativeResource(
        "RouterQueue",
        "mig-queue",
        { name: "Migrated", distributionPolicyId: policy.id, labels: { team: "a" } },
        { aliases: [{ type: "pulumi-nodejs:dynamic/jobrouter:RouterQueue" }] },
      );
    };
    const stack = await h.stack(dynamicProgram);
    expect((await stack.up()).summary.resourceChanges).toEqual({ create: 3 });
    const before = await live("queues", "mig-queue");

    (stack.stack.workspace as LocalWorkspace).program = nativeProgram;
    const preview = await h.track(() => stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 3 });
    const moved = await h.track(() => stack.up());
    expect(moved.result.summary.resourceChanges).toEqual({ same: 3 });
    expect(writes([...preview.requests, ...moved.requests])).toEqual([]);
    expect((await stack.resources("jobrouter:index:RouterQueue")).map((r) => r.id)).toEqual(["mig-queue"]);
    expect(await stack.resources("pulumi-nodejs:dynamic/jobrouter:RouterQueue")).toEqual([]);
    expect(await live("queues", "mig-queue")).toEqual(before);

    // And back: the dynamic classes with aliases to the native types, again without a change or a write.
    (stack.stack.workspace as LocalWorkspace).program = async (): Promise<void> => {
      const policy = new DistributionPolicy(
        "mig-policy",
        { offerExpiresAfterSeconds: 45, mode: { kind: "roundRobin" } },
        { aliases: [{ type: "jobrouter:index:DistributionPolicy" }] },
      );
      new RouterQueue(
        "mig-queue",
        { name: "Migrated", distributionPolicyId: policy.id, labels: { team: "a" } },
        { aliases: [{ type: "jobrouter:index:RouterQueue" }] },
      );
    };
    const back = await h.track(() => stack.up());
    expect(back.result.summary.resourceChanges).toEqual({ same: 3 });
    expect(writes(back.requests)).toEqual([]);
    expect((await stack.resources("pulumi-nodejs:dynamic/jobrouter:RouterQueue")).map((r) => r.id)).toEqual([
      "mig-queue",
    ]);

    const destroyed = await h.track(() => stack.destroy());
    expect(writes(destroyed.requests).sort()).toEqual([
      "DELETE /routing/distributionPolicies/mig-policy",
      "DELETE /routing/queues/mig-queue",
    ]);
  });
});
