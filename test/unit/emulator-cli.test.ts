// The CLI: argument parsing in-process, and the built bin (dist/emulator/cli.js) as a child process that
// prints exactly one JOBROUTER_CONNECTION_STRING line and serves signed requests.

import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatRequestLine, parseArgs } from "../../emulator/cli";
import { SdkClient } from "../fixtures/emulator/harness";

const root = join(__dirname, "..", "..");
const dist = join(root, "dist");
const buildLock = join(root, "node_modules", ".pulumi-jobrouter-build.lock");

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Other people's `npm run build` deletes and re-creates dist/ while it runs. Wait for a running build to
 * finish, then run the CLI from a private snapshot of the files it needs (it requires only node builtins,
 * dist/routing/**, dist/emulator/** and dist/provider/client/{models,validation,expressionCheck}.js), so a later build
 * cannot pull them away.
 */
function snapshotBuiltCli(): string | undefined {
  const needed = [
    "emulator",
    "routing",
    join("provider", "client", "models.js"),
    join("provider", "client", "validation.js"),
    join("provider", "client", "expressionCheck.js"),
  ];
  for (let attempt = 0; attempt < 240; attempt++) {
    if (existsSync(buildLock)) {
      sleepSync(500);
      continue;
    }
    if (!existsSync(join(dist, "emulator", "cli.js"))) return undefined;
    const target = mkdtempSync(join(tmpdir(), "jobrouter-cli-"));
    try {
      for (const rel of needed) {
        mkdirSync(dirname(join(target, rel)), { recursive: true });
        cpSync(join(dist, rel), join(target, rel), { recursive: true });
      }
      if (existsSync(join(dist, "emulator", "cli.js")) && !existsSync(buildLock))
        return join(target, "emulator", "cli.js");
    } catch {
      // a build started while copying: retry
    }
    rmSync(target, { recursive: true, force: true });
    sleepSync(500);
  }
  return undefined;
}

const builtCli = snapshotBuiltCli() ?? join(dist, "emulator", "cli.js");
afterAll(() => {
  if (!builtCli.startsWith(dist)) rmSync(join(dirname(builtCli), ".."), { recursive: true, force: true });
});

describe("parseArgs", () => {
  it("reads every option, with and without '='", () => {
    expect(
      parseArgs([
        "--port",
        "0",
        "--host=0.0.0.0",
        "--access-key",
        "a2V5",
        "--data",
        "/tmp/x",
        "--allow-bearer",
        "--error-rate",
        "0.2",
        "--error-status",
        "mixed",
        "--retry-after=3",
        "--drop-rate",
        "0.1",
        "--latency",
        "4",
        "--seed",
        "9",
      ]),
    ).toEqual({
      port: 0,
      host: "0.0.0.0",
      accessKey: "a2V5",
      dataDir: "/tmp/x",
      allowBearer: true,
      faults: { errorRate: 0.2, errorStatus: "mixed", retryAfterSeconds: 3, dropRate: 0.1, latencyMs: 4, seed: 9 },
    });
    expect(parseArgs([])).toEqual({});
  });

  it("--log-requests installs a request sink; lines carry no bodies or keys", () => {
    const options = parseArgs(["--log-requests"]);
    expect(typeof options.onRequest).toBe("function");
    expect(
      formatRequestLine({
        method: "PATCH",
        path: "/routing/queues/q",
        query: {},
        status: 201,
        at: "2026-01-01T00:00:00.000Z",
        auth: "hmac",
        body: { secret: "x" },
      }),
    ).toBe("2026-01-01T00:00:00.000Z PATCH /routing/queues/q 201 auth=hmac");
    expect(
      formatRequestLine({
        method: "GET",
        path: "/routing/queues",
        query: {},
        status: 0,
        at: "t",
        auth: "none",
        fault: "drop",
      }),
    ).toBe("t GET /routing/queues dropped auth=none fault=drop");
  });

  it("names the flag and the rule on bad input", () => {
    expect(() => parseArgs(["--port", "70000"])).toThrow("--port: must be an integer in 0..65535 (got 70000)");
    expect(() => parseArgs(["--port"])).toThrow("--port: needs a value");
    expect(() => parseArgs(["--error-status", "500"])).toThrow('--error-status: must be 429, 503 or mixed (got "500")');
    expect(() => parseArgs(["--latency", "soon"])).toThrow('--latency: must be a number (got "soon")');
    expect(() => parseArgs(["--nope"])).toThrow('unknown option "--nope"');
  });
});

describe("jobrouter-emulator bin", () => {
  it("source starts with the node shebang (package.json bin points at its build)", () => {
    expect(readFileSync(join(root, "emulator", "cli.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    // The bin is the jobrouter-emulator package's (packages/jobrouter-emulator/package.json, the published manifest).
    const manifest = join(root, "packages", "jobrouter-emulator", "package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["jobrouter-emulator"]).toBe("dist/emulator/cli.js");
  });

  it("pulumi-jobrouter/emulator resolves to the installed build's emulator from inside the repository", () => {
    // Through the installed package's "exports" (the repository root is another package, so no self-reference
    // sends the name to the repository's own dist/).
    const resolved = require.resolve("pulumi-jobrouter/emulator", { paths: [join(root, "test")] });
    expect(resolved).toBe(join(root, "node_modules", "pulumi-jobrouter", "dist", "emulator", "index.js"));
    const installed = require(resolved) as { startEmulator?: unknown };
    expect(typeof installed.startEmulator).toBe("function");
  });

  it.skipIf(!existsSync(builtCli))(
    "prints one connection-string line, serves signed requests, and exits 0 on SIGTERM (needs npm run build)",
    async () => {
      const key = Buffer.from("cli-test-key-cli-test-key-012345").toString("base64");
      const child = spawn(process.execPath, [builtCli, "--port", "0", "--access-key", key], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          stdout += c.toString();
          if (stdout.includes("\n")) resolve(stdout.split("\n")[0] ?? "");
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const m = /^JOBROUTER_CONNECTION_STRING=endpoint=(http:\/\/127\.0\.0\.1:(\d+)\/);accesskey=(.+)$/.exec(line);
      expect(m).not.toBeNull();
      expect(m?.[3]).toBe(key);
      expect(Number(m?.[2])).toBeGreaterThan(0);
      const r = await new SdkClient(m?.[1] ?? "", key).send("GET", "/routing/queues?api-version=2023-11-01");
      expect(r.status).toBe(200);
      const code = await new Promise<number | null>((resolve) => {
        child.on("exit", (c) => resolve(c));
        child.kill("SIGTERM");
      });
      expect(code).toBe(0);
      expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    },
  );

  it.skipIf(!existsSync(builtCli))("exits 2 with the usage on a bad option, printing nothing on stdout", async () => {
    const child = spawn(process.execPath, [builtCli, "--bogus"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain('unknown option "--bogus"');
    expect(stderr).toContain("usage: jobrouter-emulator");
  });
});
