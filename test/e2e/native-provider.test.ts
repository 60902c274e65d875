// The native provider plugin (plugin/, `pulumi-resource-jobrouter`) through the real engine, with one emulator:
//  - a YAML program (runtime: yaml, the language host scripts/ensure-pulumi-yaml builds) deploys the four kinds,
//    previews no changes, updates one property, refreshes and destroys, with the objects on the emulator checked
//    after each step;
//  - `pulumi import jobrouter:index:RouterQueue` of a queue made outside Pulumi, then a preview with no changes;
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
import { createHarness, pulumiBinDir, repoRoot, type Harness } from "./harness";
import { startEmulator, type RequestLogEntry } from "pulumi-jobrouter/emulator";

const exec = promisify(execFile);
const pluginBin = path.join(repoRoot, "plugin", "bin");

let h: Harness;

beforeAll(async () => {
  const started = Date.now();
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
    });

    const preview = await h.track(() => stack.previewJson());
    expect(preview.result.changeSummary).toEqual({ same: 2 });
    expect(writes(preview.requests)).toEqual([]);
    expect(await live("queues", "sales")).toMatchObject({ name: "Sales", labels: { region: "EU" } });

    // Imported without protection, it is the stack's like any other: destroy deletes it.
    const destroyed = await h.track(() => stack.destroy());
    expect(writes(destroyed.requests)).toEqual(["DELETE /routing/queues/sales"]);
    expect(await live("queues", "sales")).toBeUndefined();
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

describe("a Python program over the generated SDK", () => {
  it("deploys the four kinds, previews no changes, updates one property and destroys", async () => {
    const started = Date.now();
    const venv = pythonVenv();
    const venvSeconds = ((Date.now() - started) / 1000).toFixed(1);
    // The example as users write it, with the venv this test made; run by the repository's Python host.
    const dir = path.join(h.workDir, "src-python");
    await mkdir(dir, { recursive: true });
    const example = path.join(repoRoot, "examples", "python-quickstart");
    const yaml = await readFile(path.join(example, "Pulumi.yaml"), "utf8");
    await writeFile(path.join(dir, "Pulumi.yaml"), yaml.replace("virtualenv: venv", `virtualenv: ${venv}`));
    await writeFile(path.join(dir, "__main__.py"), await readFile(path.join(example, "__main__.py"), "utf8"));
    const stack = await h.stack({ programDir: dir });

    const t0 = Date.now();
    const up = await stack.up();
    const upSeconds = ((Date.now() - t0) / 1000).toFixed(1);
    expect(up.summary.resourceChanges).toEqual({ create: 5 });
    expect(up.outputs["queue"]?.value).toBe("sales");
    expect(await live("queues", "sales")).toMatchObject({
      name: "Sales",
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalation",
      labels: { region: "EU" },
    });
    expect(await live("classificationPolicies", "by-region")).toMatchObject({ fallbackQueueId: "sales" });
    expect(await live("exceptionPolicies", "escalation")).toMatchObject({
      exceptionRules: [{ id: "long-wait", trigger: { kind: "waitTime", thresholdSeconds: 300 } }],
    });

    const quiet = await h.track(() => stack.previewJson());
    expect(quiet.result.changeSummary).toEqual({ same: 5 });
    expect(writes(quiet.requests)).toEqual([]);

    await stack.setConfig({ "jobrouter-python-quickstart:queueName": { value: "Sales EU" } });
    const update = await h.track(() => stack.up());
    expect(update.result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
    expect(writes(update.requests)).toEqual(["PATCH /routing/queues/sales"]);
    expect(await live("queues", "sales")).toMatchObject({ name: "Sales EU" });

    expect((await stack.destroy()).summary.resourceChanges).toEqual({ delete: 5 });
    expect(await live("queues", "sales")).toBeUndefined();
    expect(await live("distributionPolicies", "longest-idle")).toBeUndefined();
    console.log(`Python program timings: venv and wheel ${venvSeconds} s, first up ${upSeconds} s`);
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
