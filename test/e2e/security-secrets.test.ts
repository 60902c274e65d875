// No secret in plaintext anywhere the engine writes: a stack whose classification policies carry a function key
// (secret config) and whose connection string carries the access key (secret config) goes through up, a preview
// of a key rotation (JSON), the rotation, refresh and destroy, with the engine's verbose logs on. Then every byte the
// run produced — the state file and its backups, the stack config, PULUMI_HOME, every command's stdout/stderr (the
// engine's logs, at -v=8 with --logflow so plugins log too), the preview JSON, the emulator's request log — is
// searched for every secret, in the encodings that could leak it (as is, JSON-escaped, URL-encoded, base64).
// At -v=9 the engine itself traces every RPC property value, secrets included ("Marshaling property for RPC…");
// the last test pins that down: those trace lines are the only place a secret shows.

import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot, type CliResult } from "../../bench/cli";

const workRoot = path.join(repoRoot, ".cache", "e2e", `security-secrets-${process.pid}-${Date.now()}`);
// -v=8: the most the engine logs without its own RPC property trace (see the last test for -v=9).
const LOGS = ["--logtostderr", "--logflow", "-v=8"];

/** Every file under dir except the program's private copy of the package (code, not output). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") out.push(...(await filesUnder(full)));
    } else if ((await stat(full)).isFile()) {
      out.push(full);
    }
  }
  return out;
}

function encodings(secret: string): string[] {
  return [
    ...new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      Buffer.from(secret).toString("base64"),
    ]),
  ];
}

describe("secrets never appear in plaintext", () => {
  let emulator: RunningEmulator;
  let stack: CliStack;
  const functionKey = `fk-${randomBytes(18).toString("base64url")}`;
  const rotatedKey = `fk-${randomBytes(18).toString("base64url")}`;
  const outputs: { name: string; text: string }[] = [];
  const record = (name: string, r: CliResult): CliResult => {
    outputs.push({ name: `${name} stdout`, text: r.stdout }, { name: `${name} stderr`, text: r.stderr });
    if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(-2000)}`);
    return r;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    stack = await CliStack.create({
      workDir: workRoot,
      programDir: "bench/program",
      config: {
        "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
        "bench:n": { value: "20" },
        "bench:functionKey": { value: functionKey, secret: true },
      },
    });
  });

  afterAll(async () => {
    await emulator?.close();
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  it("in state, logs, preview JSON and outputs of up / preview / refresh / destroy", async () => {
    record("up", await stack.run(["up", "--yes", "--skip-preview", ...LOGS]));
    // The key reached the service (so the scan below is meaningful): both function-rule policies carry it.
    const withKey = emulator.store
      .list("classificationPolicies")
      .filter((r) => JSON.stringify(r.body).includes(functionKey));
    expect(withKey.map((r) => r.id).sort()).toEqual(["b-cp-0-8", "b-cp-1-8"]);
    const state = await stack.checkpointText();

    await stack.setConfig("bench:functionKey", rotatedKey, true);
    const preview = record("preview --json", await stack.run(["preview", "--json", "--diff", ...LOGS]));
    const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
    // The rotation shows as an update of exactly the two policies that hold the key.
    expect(
      steps
        .filter((s) => s.op === "update")
        .map((s) => s.urn.split("::").pop())
        .sort(),
    ).toEqual(["b-cp-0-8", "b-cp-1-8"]);
    record("up (rotation)", await stack.run(["up", "--yes", "--skip-preview", "--diff", ...LOGS]));
    expect(emulator.store.get("classificationPolicies", "b-cp-0-8")?.body["prioritizationRule"]).toMatchObject({
      credential: { functionKey: rotatedKey },
    });
    record("refresh", await stack.run(["refresh", "--yes", "--skip-preview", "--diff", ...LOGS]));
    const stateAfterRefresh = await stack.checkpointText();
    record("destroy", await stack.run(["destroy", "--yes", "--skip-preview", ...LOGS]));

    const haystacks: { name: string; text: string }[] = [
      ...outputs,
      { name: "state after up", text: state },
      { name: "state after refresh", text: stateAfterRefresh },
      { name: "emulator request log", text: JSON.stringify(emulator.requests) },
    ];
    const files = await filesUnder(workRoot);
    // The backend (checkpoints, .bak, history), the stack config file, PULUMI_HOME (workspace, logs).
    expect(files.some((f) => f.includes(`${path.sep}.pulumi${path.sep}stacks${path.sep}`))).toBe(true);
    expect(files.some((f) => f.endsWith("Pulumi.bench.yaml"))).toBe(true);
    for (const f of files) haystacks.push({ name: path.relative(workRoot, f), text: await readFile(f, "latin1") });
    // The verbose logs really are there (a scan of empty logs would prove nothing).
    expect(outputs.find((o) => o.name === "up stderr")?.text.length).toBeGreaterThan(10_000);

    const secrets: Record<string, string> = {
      "access key": emulator.accessKey,
      "connection string": emulator.connectionString,
      "function key": functionKey,
      "rotated function key": rotatedKey,
      "stack passphrase": stack.passphrase,
    };
    const hits: string[] = [];
    for (const [what, secret] of Object.entries(secrets)) {
      for (const form of encodings(secret)) {
        for (const h of haystacks) if (h.text.includes(form)) hits.push(`${what} in ${h.name}`);
      }
    }
    expect(hits).toEqual([]);
    console.log(
      `security-secrets: scanned ${haystacks.length} outputs and files, ${haystacks.reduce((n, h) => n + h.text.length, 0)} bytes`,
    );
  }, 300_000);

  it("at -v=9 a secret shows only in the engine's own RPC property trace, never in our provider's output", async () => {
    const r = await stack.run(["preview", "--logtostderr", "--logflow", "-v=9"]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const lines = `${r.stdout}\n${r.stderr}`.split("\n");
    const withSecret = lines.filter((l) => [emulator.accessKey, rotatedKey].some((x) => l.includes(x)));
    // The trace is real (so this is not vacuous), and it is the engine's, not ours.
    expect(withSecret.length).toBeGreaterThan(0);
    const elsewhere = withSecret.filter((l) => !/"msg":"(Un)?[Mm]arshaling property for RPC\[/.test(l));
    expect(elsewhere.map((l) => l.slice(0, 120))).toEqual([]);
  }, 120_000);
});
