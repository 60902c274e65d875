// The official Python SDK (azure-communication-jobrouter 1.0.0) against the emulator, unchanged: its
// `from_connection_string` always dials https, so the emulator runs as the installed `jobrouter-emulator --https`
// and the Python side trusts the certificate it names (JOBROUTER_CA_CERT) through REQUESTS_CA_BUNDLE and
// SSL_CERT_FILE. Events reach a webhook in the Python process (`--event-webhook`) and are parsed with
// EventGridEvent.from_dict. The Python environment is made by scripts/python-env.js (python3 with venv needed).

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./harness/paths";

// The emulator as application developers install it: the jobrouter-emulator package the build installs.
const cli = path.join(repoRoot, "node_modules", "jobrouter-emulator", "dist", "emulator", "cli.js");
const walkthrough = path.join(repoRoot, "test", "python", "walkthrough.py");

let python = "";
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  // Installs from PyPI on the first run (pinned in test/python/requirements.txt), then reuses .cache/python-venv.
  const r = spawnSync(process.execPath, [path.join(repoRoot, "scripts", "python-env.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/python-env.js failed:\n${r.stderr}`);
  python = r.stdout.trim();
});

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    await new Promise<void>((resolve) => {
      c.on("exit", () => resolve());
      c.kill("SIGTERM");
    });
  }
});

interface Output {
  stdout: string;
  stderr: string;
}

function start(cmd: string, args: string[]): { child: ChildProcessWithoutNullStreams; out: Output } {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  const out: Output = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString()));
  return { child, out };
}

/** Resolves with the first `count` stdout lines, or fails with the process's stderr if it exits first. */
function lines(child: ChildProcessWithoutNullStreams, out: Output, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const l = out.stdout.split("\n");
      if (l.length > count) resolve(l.slice(0, count));
    };
    child.stdout.on("data", check);
    check();
    child.on("exit", (code) => reject(new Error(`exited ${String(code)} early:\n${out.stderr}`)));
  });
}

describe("the official Python SDK over HTTPS", () => {
  it("runs the README walkthrough: policy, queue, job, worker, offer (worker and Event Grid), accept, complete, close, close_at", async () => {
    const py = start(python, ["-u", walkthrough]);
    const [webhookLine] = await lines(py.child, py.out, 1);
    const webhook = /^WEBHOOK_URL=(http:\/\/127\.0\.0\.1:\d+\/events)$/.exec(webhookLine ?? "")?.[1];
    expect(webhook).toBeDefined();

    const emulator = start(process.execPath, [
      cli,
      "--https",
      "--port",
      "0",
      "--event-webhook",
      webhook ?? "",
      "--log-requests",
    ]);
    const printed = await lines(emulator.child, emulator.out, 2);
    expect(printed[0]).toMatch(/^JOBROUTER_CONNECTION_STRING=endpoint=https:\/\/127\.0\.0\.1:\d+\/;accesskey=/);
    expect(printed[1]).toMatch(/^JOBROUTER_CA_CERT=.+\.pem$/);
    // The emulator's own output, as a user would paste it into their environment.
    py.child.stdin.end(`${printed.join("\n")}\n`);

    const code = await new Promise<number | null>((resolve) => {
      if (py.child.exitCode !== null) resolve(py.child.exitCode);
      else py.child.on("exit", (c) => resolve(c));
    });
    expect(code, `walkthrough failed:\n${py.out.stdout}\n${py.out.stderr}`).toBe(0);

    const result = /^RESULT (.+)$/m.exec(py.out.stdout)?.[1];
    const active = { expedite: false, status: "active" };
    const scoringDefaults = {
      bypass_selectors: false,
      scoring_parameters: ["jobLabels", "workerSelectors"],
      is_batch_scoring_enabled: false,
      descending_order: true,
    };
    expect(JSON.parse(result ?? "null")).toEqual({
      // Issue 22, through the SDK's own models.
      facts: {
        // Fact 1: a created classification policy's selectors (static, conditional, weightedAllocation) and a
        // manualReclassify action's selectors come back with expedite false and status active.
        cp_selectors: [active, active, active],
        manual_reclassify_selector: active,
        // Fact 2: bestWorker scoring options filled in, entirely or member by member.
        best_worker_default: scoringDefaults,
        best_worker_partial: { ...scoringDefaults, descending_order: false },
        // Fact 3: the PATCH switching a scheduled job to queueAndMatch answers queued.
        scheduled_to_queue_and_match: "queued",
        // Fact 4: as test_update_job_w_cp and test_update_job_w_cp_w_kwargs: pendingClassification.
        update_w_cp: ["pendingClassification", "pendingClassification"],
        // Fact 5: the second delete_worker of the same worker raised nothing (204).
        second_worker_delete: "no error",
      },
      // Fact 3: a job created with a queueId answers "created"; it is queued just after.
      created_status: "created",
      job1: "closed",
      // Fact 6: a close without a disposition code sets "Closed".
      job1_disposition: "Closed",
      // close_at in the future: still completed right after the call, closed once the time has come.
      job2_before_close_at: "completed",
      job2_after_close_at: "closed",
    });
    // Fact 2 (jobs), through the SDK's own models: the worker selector comes back with expedite false.
    expect(py.out.stdout).toContain(
      '"selectors": [{"key": "Some-Skill", "labelOperator": "greaterThan", "value": 10, "expedite": false, "status": "active"}]',
    );
    // Fact 5, through the SDK: one open offer of cost 1 on capacity 1 reads a load ratio of 1.
    expect(py.out.stdout).toMatch(
      /STEP offer \{"job": "jobId-1".*"event": "Microsoft\.Communication\.RouterWorkerOfferIssued", "load_ratio": 1(\.0)?\}/,
    );

    // The requests really went over the emulator's HMAC check, one by one.
    const log = emulator.out.stderr;
    expect(log).toMatch(/ PATCH \/routing\/distributionPolicies\/distribution-policy-1 201 auth=hmac/);
    expect(log).toMatch(/ PATCH \/routing\/jobs\/jobId-1 201 auth=hmac/);
    expect(log).toMatch(/ POST \/routing\/workers\/worker-1\/offers\/[^ ]+:accept 200 auth=hmac/);
    expect(log).toMatch(/ POST \/routing\/jobs\/jobId-2\/assignments\/[^ ]+:close 200 auth=hmac/);
    expect(log).not.toMatch(/ 401 /);
    // Fact 5 on the wire: both deletes of the same worker answered 204.
    expect(log.match(/ DELETE \/routing\/workers\/worker-gone 204 auth=hmac/g)).toHaveLength(2);
  });
});
