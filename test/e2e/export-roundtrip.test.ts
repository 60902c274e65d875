// jobrouter-export end to end, the way a user runs it: build a namespace on an emulator, run the bin, install this
// package (packed with npm) into the exported project outside the repository, type-check it, `pulumi up` (adopts
// every object and writes nothing), `pulumi preview --expect-no-changes`, and a second export byte-identical. Then a
// namespace that changed between export and `up` is refused with the differing fields, and nothing is overwritten.

import { mkdtemp, readFile, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRouterClient } from "../../provider/client";
import { ADMIN_COLLECTIONS } from "../../provider/client/models";
import { APP_KEY, buildNamespace, CLIENT_SECRET, FUNCTION_KEY } from "../fixtures/export/namespace";
import { createHarness, pulumiBinDir, repoRoot, type Harness } from "./harness";
import { outsideEnv, packTarballs, runCommand, type CommandResult } from "./harness/consumer";

type Run = CommandResult;

const run = (command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Run> =>
  runCommand(command, args, { cwd, env });

async function must(p: Promise<Run>, what: string): Promise<Run> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const WRITES = new Set(["PATCH", "PUT", "POST", "DELETE"]);

/** The secrets the fixture's namespace holds, by the config names the export gives them. */
const SECRET_VALUES: Record<string, string> = {
  bestFunctionDistributionFunctionKey: FUNCTION_KEY,
  bestWebhookDistributionClientSecret: CLIENT_SECRET,
  triageClassificationAppKey: APP_KEY,
  triageClassificationClientSecret: CLIENT_SECRET,
};

async function filesOf(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = await readFile(path.join(dir, name), "utf8");
  return out;
}

describe("jobrouter-export round trip", () => {
  let h: Harness;
  let client: JobRouterClient;
  let scratch: string;
  let project: string;
  let tarball: string;
  let env: Record<string, string>;
  const exportBin = path.join(repoRoot, "dist", "exporter", "cli.js");
  const generated = [".gitignore", "Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"];

  /** Every object on the service, with its ETag: equal before and after proves nothing was written. */
  async function snapshot(): Promise<unknown> {
    const out: Record<string, unknown[]> = {};
    for (const c of ADMIN_COLLECTIONS) {
      out[c] = [];
      for await (const o of client.list(c)) out[c].push(o);
    }
    return out;
  }

  const pulumi = (args: string[], stack: string, dir = project): Promise<Run> =>
    run(
      path.join(pulumiBinDir, "pulumi"),
      [...args, "--stack", stack, "--non-interactive", "--color", "never"],
      dir,
      env,
    );

  /** The commands the export printed: a stack, the connection string and each secret it named. */
  async function initStack(stack: string, dir = project): Promise<void> {
    await must(pulumi(["stack", "init"], stack, dir), "pulumi stack init");
    await must(
      pulumi(["config", "set", "--secret", "jobrouter:connectionString", h.emulator.connectionString], stack, dir),
      "config set",
    );
    for (const [name, value] of Object.entries(SECRET_VALUES)) {
      await must(pulumi(["config", "set", "--secret", name, value], stack, dir), `config set ${name}`);
    }
  }

  beforeAll(async () => {
    h = await createHarness({ name: "export-roundtrip" });
    // The harness's Pulumi settings (backend, passphrase, PULUMI_HOME), as npm outside the repository sees them: no
    // npm_* variables of an enclosing `npm test`, not this repository's node_modules/.bin, the CLI's bin dir first.
    const pulumiSettings = Object.fromEntries(Object.entries(h.env).filter(([k]) => k.startsWith("PULUMI_")));
    const outside = outsideEnv(pulumiSettings);
    env = { ...outside, PATH: [pulumiBinDir, outside.PATH ?? ""].join(path.delimiter) };
    client = JobRouterClient.fromConnectionString(h.emulator.connectionString);
    await buildNamespace(client);
    scratch = await mkdtemp(path.join(tmpdir(), "jobrouter-export-"));
    project = path.join(scratch, "project");
    // The package as a user gets it: the tarball `npm run package` makes (packed from the build `npm test` made).
    tarball = (await packTarballs()).library.file;
  }, 300_000);

  afterAll(async () => {
    await h?.dispose();
    if (scratch && !process.env.E2E_KEEP) await rm(scratch, { recursive: true, force: true });
  });

  it("exports with reads only, and writes no credential to disk", async () => {
    const { result, requests } = await h.track(() =>
      must(
        run(
          process.execPath,
          [exportBin, "--out", project, "--package-spec", tarball, "--project-name", "adopted"],
          scratch,
          { ...env, JOBROUTER_CONNECTION_STRING: h.emulator.connectionString },
        ),
        "jobrouter-export",
      ),
    );
    console.log(`export: ${requests.length} requests (${requests.filter((r) => r.method === "GET").length} GET)`);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(result.stdout).toContain(
      "Exported 13 objects (5 distribution policies, 5 queues, 2 classification policies, 1 exception policy)",
    );
    for (const name of Object.keys(SECRET_VALUES))
      expect(result.stdout).toContain(`pulumi config set --secret ${name}`);
    expect((await readdir(project)).sort()).toEqual(generated);
    const all = Object.values(await filesOf(project, generated)).join("\n");
    for (const secret of [FUNCTION_KEY, APP_KEY, CLIENT_SECRET]) {
      expect(all).not.toContain(secret);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    // Nor the connection string's key.
    expect(all).not.toContain(h.emulator.accessKey);
  });

  it("passes prettier --check", async () => {
    const prettierBin = path.join(repoRoot, "node_modules", "prettier", "bin", "prettier.cjs");
    await must(
      run(process.execPath, [prettierBin, "--check", ...generated.filter((f) => f !== ".gitignore")], project, env),
      "prettier --check",
    );
  });

  it("installs the packed package with npm and type-checks with strict TypeScript", async () => {
    await must(run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project, env), "npm install");
    const pkg = JSON.parse(await readFile(path.join(project, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies["pulumi-jobrouter"]).toBe(`file:${tarball}`);
    const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
    await must(run(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], project, env), "tsc");
  }, 600_000);

  it("first pulumi up adopts every object with 0 writes; preview --expect-no-changes passes", async () => {
    await initStack("adopt");
    const before = await snapshot();
    const { result: up, requests } = await h.track(() => pulumi(["up", "--yes", "--skip-preview"], "adopt"));
    const writes = requests.filter((r) => WRITES.has(r.method)).map((r) => `${r.method} ${r.path} ${r.status}`);
    console.log(`first up: ${requests.length} requests, ${writes.length} writes`);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/14 created/); // the 13 objects and the stack
    const preview = await pulumi(["preview", "--expect-no-changes"], "adopt");
    expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
    const state = (await run(path.join(pulumiBinDir, "pulumi"), ["stack", "export", "--stack", "adopt"], project, env))
      .stdout;
    for (const secret of [FUNCTION_KEY, APP_KEY, CLIENT_SECRET]) expect(state).not.toContain(secret);
    // Adoption is a takeover by reading: not one write, and every object (ETags included) as it was.
    expect(writes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 600_000);

  it("a second export of the unchanged namespace is byte-identical", async () => {
    const again = path.join(scratch, "again");
    await must(
      run(
        process.execPath,
        [
          exportBin,
          "--out",
          again,
          "--package-spec",
          tarball,
          "--project-name",
          "adopted",
          "--connection-string",
          h.emulator.connectionString,
        ],
        scratch,
        env,
      ),
      "second export",
    );
    expect(await filesOf(again, generated)).toEqual(await filesOf(project, generated));
  });

  it("the contact-center style adopts the same namespace with 0 writes too", async () => {
    const cc = path.join(scratch, "contact-center");
    await must(
      run(
        process.execPath,
        [
          exportBin,
          "--out",
          cc,
          "--style",
          "contact-center",
          "--package-spec",
          tarball,
          "--project-name",
          "adopted-cc",
        ],
        scratch,
        { ...env, JOBROUTER_CONNECTION_STRING: h.emulator.connectionString },
      ),
      "export --style contact-center",
    );
    expect(await readFile(path.join(cc, "index.ts"), "utf8")).toContain('new ContactCenter("contact-center", {');
    await symlink(path.join(project, "node_modules"), path.join(cc, "node_modules"), "dir");
    const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
    await must(run(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], cc, env), "tsc");
    await initStack("cc", cc);
    const before = await snapshot();
    const { result: up, requests } = await h.track(() => pulumi(["up", "--yes", "--skip-preview"], "cc", cc));
    const writes = requests.filter((r) => WRITES.has(r.method)).map((r) => `${r.method} ${r.path} ${r.status}`);
    console.log(`contact-center up: ${requests.length} requests, ${writes.length} writes`);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/15 created/); // the 13 objects, the component and the stack
    const preview = await pulumi(["preview", "--expect-no-changes"], "cc", cc);
    expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
    expect(writes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 600_000);

  it("refuses a namespace changed between export and up, naming the differing fields, and overwrites nothing", async () => {
    // Another project (a stack of the first one would meet the first stack's ownership instead), exported now...
    const elsewhere = path.join(scratch, "elsewhere");
    await must(
      run(
        process.execPath,
        [exportBin, "--out", elsewhere, "--package-spec", tarball, "--project-name", "adopted-elsewhere"],
        scratch,
        { ...env, JOBROUTER_CONNECTION_STRING: h.emulator.connectionString },
      ),
      "export",
    );
    await symlink(path.join(project, "node_modules"), path.join(elsewhere, "node_modules"), "dir");
    // ... then someone changes the namespace before `pulumi up`.
    await client.upsert("queues", "support", { labels: { tier: 3 } });
    const before = await snapshot();
    await initStack("changed", elsewhere);
    const { result: up, requests } = await h.track(() =>
      pulumi(["up", "--yes", "--skip-preview"], "changed", elsewhere),
    );
    const writes = requests.filter((r) => WRITES.has(r.method)).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(up.code).not.toBe(0);
    const lines = (up.stdout + up.stderr).split("\n");
    // The last mention is the engine's Diagnostics section, where the whole message is printed.
    const at = lines.findLastIndex((l) => l.includes('cannot adopt queue "support"'));
    const refusal = lines.slice(at, at + 4).join("\n");
    console.log(`refused:\n${refusal}`);
    expect(at).toBeGreaterThanOrEqual(0);
    // The differing field, with its live and declared values.
    expect(refusal).toMatch(/labels/);
    expect(writes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 600_000);
});
