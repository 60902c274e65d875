// The documentation's commands, run as a reader runs them. For each page of README.md and docs/*.md with blocks
// marked `sh run` (or `file=PATH`, see harness/docBlocks.ts and CONTRIBUTING.md), the blocks run in the page's
// order in one shell session, outside this repository:
//   - HOME is a new temporary directory; `~/pulumi-jobrouter` in it holds the tarballs `npm run package` makes
//     (as in the README's install steps), and npm keeps using the real npm cache (offline first);
//   - the repository's Pulumi CLI is first on PATH, then the Node running this test (22+); no repository bins;
//   - PULUMI_HOME is ~/.pulumi of that HOME (the CLI takes its home from the account, not from HOME), so nothing
//     reaches the real ~/.pulumi; the docs therefore use PULUMI_BACKEND_URL=file://$HOME/..., not `pulumi login
//     --local`, whose `~` is the account's home directory too;
//   - PULUMI_SKIP_CONFIRMATIONS=true answers `pulumi up`/`destroy`'s question as the reader does ("yes");
//   - the emulator port the docs write, 8443, is replaced by a free port (the one substitution), so pages never
//     collide with each other or with anything else on the machine;
//   - a page that starts with `<!-- docs-harness: project -->` starts in a prepared project instead of an empty
//     HOME: the tarballs, @pulumi/pulumi and TypeScript installed, a Pulumi.yaml, the README's example program,
//     a file backend (PULUMI_BACKEND_URL) with a passphrase (PULUMI_CONFIG_PASSPHRASE), a new stack whose
//     `jobrouter:connectionString` is an emulator the harness started (holding a distribution policy and a queue
//     made outside Pulumi, `made-by-hand`), and JOBROUTER_CONNECTION_STRING set to it.
// A block that fails fails the test with the page, the block's line and its output. Whatever a block leaves
// running in the background (an emulator started with `&`) is stopped at the end of its page.

import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiBinDir, pulumiVersion, repoRoot } from "./harness";
import { installConsumer, outsideEnv, packTarballs, type ConsumerProject } from "./harness/consumer";
import { parseDocPage } from "./harness/docBlocks";

/** The port the docs write for the emulator; replaced by a free one per page. */
const DOCS_PORT = "8443";

const pages = ["README.md", ...readdirSync(path.join(repoRoot, "docs")).map((f) => `docs/${f}`)]
  .filter((f) => f.endsWith(".md"))
  .map((file) => ({ file, page: parseDocPage(readFileSync(path.join(repoRoot, file), "utf8")) }))
  .filter((p) => p.page.blocks.length > 0);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Session {
  /** The shell's state between blocks: `cwd` and `env` (export -p). */
  stateDir: string;
  /** Process groups of the blocks (each block is a group leader; its background jobs stay in the group). */
  groups: number[];
  log: string;
}

/** Runs one block in the session: restores cwd and exports, runs the text under `set -eo pipefail`, saves them. */
function runBlock(session: Session, text: string, env: Record<string, string>): Promise<number> {
  const script = [
    "set -eo pipefail",
    `cd "$(cat '${session.stateDir}/cwd')"`,
    `[ -f '${session.stateDir}/env' ] && . '${session.stateDir}/env'`,
    `trap 'pwd > "${session.stateDir}/cwd"; export -p > "${session.stateDir}/env"' EXIT`,
    text,
  ].join("\n");
  return new Promise((resolve, reject) => {
    // Output to a file, not a pipe: a background job keeps a pipe open after the block ends.
    const fd = openSync(session.log, "a");
    const child = spawn("bash", ["-c", script], { env, stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    if (child.pid !== undefined) session.groups.push(child.pid);
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function stopGroups(session: Session): void {
  for (const pgid of session.groups) {
    try {
      process.kill(-pgid, "SIGTERM");
    } catch {
      // the group is gone already
    }
  }
}

/**
 * Objects made outside Pulumi (as by a script or the portal), so a page about an existing namespace has one: a
 * distribution policy and a queue that uses it, through the client the project installed.
 */
async function seedNamespace(project: ConsumerProject, connectionString: string): Promise<void> {
  const { JobRouterClient } = project.require("pulumi-jobrouter/client") as typeof import("pulumi-jobrouter/client");
  const client = JobRouterClient.fromConnectionString(connectionString);
  await client.upsert("distributionPolicies", "made-by-hand", {
    name: "Made by hand",
    offerExpiresAfterSeconds: 45,
    mode: { kind: "roundRobin", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
  });
  await client.upsert("queues", "made-by-hand", { name: "Made by hand", distributionPolicyId: "made-by-hand" });
}

/** The README's example program, which the prepared project deploys. */
function readmeProgram(): string {
  const block = parseDocPage(readFileSync(path.join(repoRoot, "README.md"), "utf8")).blocks.find(
    (b) => b.kind === "file" && b.file === "index.ts",
  );
  if (block === undefined) throw new Error("README.md has no ```ts file=index.ts block");
  return block.text;
}

describe("the documentation's commands, run as written", () => {
  let tarballDir: string | undefined;
  let shared: ConsumerProject | undefined;
  const summary: string[] = [];
  const started = Date.now();

  beforeAll(async () => {
    const packed = await packTarballs();
    tarballDir = path.dirname(packed.library.file);
    if (pages.some((p) => p.page.project)) {
      shared = await installConsumer({
        name: "docs",
        tarballs: [packed.library.file, packed.emulator.file, packed.policy.file],
        packages: [`@pulumi/pulumi@${pulumiVersion}`, "typescript@5.9.3", "@types/node@24"],
        files: {
          "Pulumi.yaml": "name: contact-center\nruntime: nodejs\n",
          "tsconfig.json": TSCONFIG,
          "index.ts": readmeProgram(),
        },
      });
    }
  }, 600_000);

  afterAll(async () => {
    await shared?.dispose();
    // packTarballs packed into a directory of this process's own (test files run in processes of their own).
    if (tarballDir !== undefined && !process.env.E2E_KEEP) await rm(tarballDir, { recursive: true, force: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`docs-harness: ${summary.sort().join("; ")}; ${seconds} s in all`);
  });

  it("finds the pages the convention marks", () => {
    expect(pages.map((p) => p.file)).toEqual(expect.arrayContaining(["README.md", "docs/getting-started.md"]));
  });

  for (const { file, page } of pages) {
    // Pages run side by side (each has its own HOME, ports, stack and session): most of their time is waiting
    // for npm and the engine.
    it.concurrent(
      `${file}: every block marked to run works as written`,
      async () => {
        const pageStarted = Date.now();
        const home = realpathSync(await mkdtemp(path.join(tmpdir(), "jobrouter-docs-home-")));
        const stateDir = path.join(home, ".docs-harness");
        await mkdir(stateDir);
        if (tarballDir === undefined) throw new Error("no tarballs");
        await symlink(tarballDir, path.join(home, "pulumi-jobrouter"));
        const port = String(await freePort());
        const env = outsideEnv({
          HOME: home,
          // The real npm cache (HOME moved): what the repository's install fetched is there.
          npm_config_cache: path.join(homedir(), ".npm"),
          npm_config_prefer_offline: "true",
          npm_config_audit: "false",
          npm_config_fund: "false",
          npm_config_update_notifier: "false",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          // The answer a reader gives to `pulumi up`/`destroy`'s "Do you want to perform this update?".
          PULUMI_SKIP_CONFIRMATIONS: "true",
        });
        env.PATH = [pulumiBinDir, env.PATH ?? ""].join(path.delimiter);
        for (const k of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "JOBROUTER_CONNECTION_STRING"])
          delete env[k];
        // The CLI finds its home (~/.pulumi: credentials, workspaces, logs) from the account, not from HOME.
        env.PULUMI_HOME = path.join(home, ".pulumi");

        let cwd = home;
        let emulator: ReturnType<typeof spawn> | undefined;
        if (page.project) {
          if (shared === undefined) throw new Error("no prepared project");
          cwd = shared.dir;
          const slug = file.replace(/[^a-z0-9]+/gi, "-");
          const backend = path.join(home, "state");
          await mkdir(backend);
          const data = path.join(home, "emulator-data");
          const emulatorBin = shared.bin("jobrouter-emulator");
          // Its own port: 8443 (→ `port`) stays free for an emulator the page's blocks start.
          const ownPort = String(await freePort());
          emulator = spawn(emulatorBin, ["--port", ownPort, "--data", data], {
            env,
            stdio: ["ignore", "pipe", "ignore"],
          });
          const line = await new Promise<string>((resolve, reject) => {
            let out = "";
            emulator?.stdout?.on("data", (b: Buffer) => {
              out += b.toString();
              if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
            });
            emulator?.on("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
          });
          env.JOBROUTER_CONNECTION_STRING = line.replace(/^JOBROUTER_CONNECTION_STRING=/, "");
          await seedNamespace(shared, env.JOBROUTER_CONNECTION_STRING);
          env.PULUMI_BACKEND_URL = `file://${backend}`;
          env.PULUMI_CONFIG_PASSPHRASE = "docs-harness";
          await writeFile(path.join(stateDir, "cwd"), cwd);
          const setupLog = path.join(home, "setup.log");
          const init = await runBlock(
            { stateDir, groups: [], log: setupLog },
            `pulumi stack init ${slug} >/dev/null\npulumi config set --secret jobrouter:connectionString "$JOBROUTER_CONNECTION_STRING"\n`,
            env,
          );
          if (init !== 0) throw new Error(`preparing the project failed:\n${await readFile(setupLog, "utf8")}`);
        }
        await writeFile(path.join(stateDir, "cwd"), cwd);

        const session: Session = { stateDir, groups: [], log: path.join(home, "blocks.log") };
        const ran: number[] = [];
        try {
          for (const block of page.blocks) {
            const before = existsSync(session.log) ? (await readFile(session.log, "utf8")).length : 0;
            if (block.kind === "file") {
              const dir = (await readFile(path.join(stateDir, "cwd"), "utf8")).trim();
              await mkdir(path.dirname(path.join(dir, block.file ?? "")), { recursive: true });
              await writeFile(path.join(dir, block.file ?? ""), block.text.replaceAll(DOCS_PORT, port));
              ran.push(block.line);
              continue;
            }
            const code = await runBlock(session, block.text.replaceAll(DOCS_PORT, port), env);
            ran.push(block.line);
            if (code !== 0) {
              const output = (await readFile(session.log, "utf8")).slice(before).split("\n").slice(-80).join("\n");
              throw new Error(
                `${file}:${block.line}: the block exited ${code}:\n${block.text}\n--- output ---\n${output}`,
              );
            }
          }
        } finally {
          stopGroups(session);
          emulator?.kill("SIGTERM");
          const seconds = ((Date.now() - pageStarted) / 1000).toFixed(0);
          summary.push(`${file} blocks at lines ${ran.join(", ")} (${seconds} s)`);
          if (!process.env.E2E_KEEP) await rm(home, { recursive: true, force: true });
        }
        expect(ran).toEqual(page.blocks.map((b) => b.line));
      },
      900_000,
    );
  }
});

const TSCONFIG = `{
  "compilerOptions": {
    "strict": true,
    "target": "es2022",
    "module": "commonjs",
    "moduleResolution": "node",
    "esModuleInterop": true,
    "skipLibCheck": true
  },
  "include": ["index.ts"]
}
`;
