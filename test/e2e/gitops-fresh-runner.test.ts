// GitOps as it runs: every `pulumi` command on a fresh machine (its own HOME, PULUMI_HOME and create journal), only
// the file:// state backend and the checkout (the project directory with Pulumi.<stack>.yaml) shared, as in
// examples/github-actions. Scenarios (issue 19):
//   1. a second stack of the same project is refused, follows the advice (`adoptExisting: true`) and is destroyed;
//   3. a second project adopts the same objects (as a `jobrouter-export` program does) and is destroyed;
//   2. the documented move to another project: `leaveOnDelete: true` on the old resource, adopt in the new one,
//      remove the old one; then the new one takes full charge (`leaveOnDelete: false`) and its destroy deletes;
//   a move between projects with `pulumi state move`;
//   `pulumi up` killed on one runner after the service made the queue but before the state recorded it, and the
//      recovery on another runner, following the refusal's advice;
//   6. the ContactCenter itself renamed: refused with the component alias fix, which then keeps every child from the
//      state the refused run left (only the old component's empty entry goes).
// After each step the objects on the emulator and the emulator's request log are asserted; each step prints
// `gitops-log <scenario> <step>: [...]` (the routing requests it caused) for the record.

import { readdir, rm, stat } from "node:fs/promises";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ContactCenter, DistributionPolicy, RouterQueue } from "pulumi-jobrouter";
import type { RequestLogEntry } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processTree } from "../../bench/procs";
import { createHarness, type Harness, type HarnessStack } from "./harness";

const QUEUE_TYPE = "pulumi-nodejs:dynamic/jobrouter:RouterQueue";

/** The routing calls of a request log, as `METHOD /routing/<collection>/<id> status`. */
function calls(requests: readonly RequestLogEntry[]): string[] {
  return requests.filter((r) => r.path.startsWith("/routing/")).map((r) => `${r.method} ${r.path} ${r.status}`);
}

function writes(requests: readonly RequestLogEntry[]): string[] {
  return calls(requests).filter((c) => !c.startsWith("GET "));
}

function record(scenario: string, step: string, requests: readonly RequestLogEntry[]): string[] {
  const lines = calls(requests);
  console.log(`gitops-log ${scenario} ${step}: ${JSON.stringify(lines)}`);
  return lines;
}

/** The error text of a failed operation, or "succeeded" followed by its output. */
function outcome(p: Promise<{ stdout: string; stderr: string }>): Promise<string> {
  return p.then(
    (r) => `succeeded\n${r.stdout}\n${r.stderr}`,
    (e: unknown) => String(e),
  );
}

/** Engine output joined to one line (the CLI wraps long diagnostics). */
function flat(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

/** The objects on the emulator of the given ids, `collection/id`, sorted. */
function present(h: Harness, ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"]) {
    for (const r of h.emulator.store.list(c)) if (ids.includes(r.id)) out.push(`${c}/${r.id}`);
  }
  return out.sort();
}

/** A distribution policy and a queue on it, with options the scenarios vary. */
interface PairDecl {
  dpId: string;
  queueId: string;
  /** Leave both resources out of the program (the old program after a move). */
  omit?: boolean;
  adoptExisting?: boolean;
  leaveOnDelete?: boolean;
}

function pairProgram(get: () => PairDecl): () => Promise<void> {
  return async () => {
    const d = get();
    if (d.omit) return;
    const extra = {
      ...(d.adoptExisting !== undefined ? { adoptExisting: d.adoptExisting } : {}),
      ...(d.leaveOnDelete !== undefined ? { leaveOnDelete: d.leaveOnDelete } : {}),
    };
    const dp = new DistributionPolicy("idle", {
      distributionPolicyId: d.dpId,
      name: "Idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
      ...extra,
    });
    new RouterQueue("sales", { queueId: d.queueId, name: "Sales", distributionPolicyId: dp.id, ...extra });
  };
}

/** Killed on the next request log entry that matches (set by the crash scenario). */
let killWhen: ((e: RequestLogEntry) => boolean) | undefined;
let killed = 0;

/** SIGKILLs every `pulumi` CLI under this test process, and its plugins: the runner dies. */
function killRunner(): void {
  const tree = processTree(process.pid);
  const clis = tree.filter((p) => p.role === "cli").map((p) => p.pid);
  const victims = new Set<number>();
  for (const pid of clis) for (const p of processTree(pid)) victims.add(p.pid);
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
      killed += 1;
    } catch {
      // already gone
    }
  }
}

/** A kill between a blob's sidecar and its rename leaves an empty `.attrs` (see reliability-kill.test.ts). */
async function removeEmptyAttrs(h: Harness): Promise<void> {
  const root = path.join(new URL(h.backendUrl).pathname, ".pulumi");
  for (const name of await readdir(root, { recursive: true })) {
    const file = path.join(root, name);
    if (name.endsWith(".attrs") && (await stat(file)).size === 0) await rm(file);
  }
}

// Steps run up to five pulumi commands each; on a busy machine that outlasts the default 120 s per test.
describe("GitOps: every pulumi command on a fresh runner, only the state backend shared", { timeout: 400_000 }, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({
      name: "gitops",
      emulator: {
        onRequest: (e) => {
          if (killWhen?.(e)) {
            killWhen = undefined;
            // Before the emulator answers: the object exists on the service, the engine never hears of it.
            killRunner();
          }
        },
      },
    });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  describe("scenarios 1 and 3: a second stack, then a second project, over the same objects", () => {
    const ids = ["g1-dp", "g1-q"];
    let owner: HarnessStack;
    let second: HarnessStack;
    let other: HarnessStack;
    let secondDecl: PairDecl = { dpId: "g1-dp", queueId: "g1-q" };

    it("stack one creates the objects", async () => {
      owner = await h.stack(
        pairProgram(() => ({ dpId: "g1-dp", queueId: "g1-q" })),
        { freshRunner: true },
      );
      const { requests } = await h.track(() => owner.up());
      const log = record("s1", "stack-one-up", requests);
      expect(writes(requests)).toEqual([
        "PATCH /routing/distributionPolicies/g1-dp 201",
        "PATCH /routing/queues/g1-q 201",
      ]);
      expect(log.length).toBe(4);
      expect(present(h, ids)).toEqual(["distributionPolicies/g1-dp", "queues/g1-q"]);
    });

    it("a second stack's create is refused; the message says whose it may be and how to check", async () => {
      second = await h.stack(
        pairProgram(() => secondDecl),
        { freshRunner: true },
      );
      const { result, requests } = await h.track(() => outcome(second.up()));
      const log = record("s1", "second-stack-up", requests);
      const text = flat(result);
      expect(text).toContain('cannot create distribution policy "g1-dp": an object with this id already exists');
      expect(text).toContain("another stack or project");
      expect(text).toContain(`pulumi stack export --stack <other stack> | grep '"distributionPolicyId": "g1-dp"'`);
      expect(text).toContain("left in place when its resource is deleted");
      expect(log).toEqual(["GET /routing/distributionPolicies/g1-dp 200"]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g1-dp", "queues/g1-q"]);
    });

    it("following the advice (adoptExisting: true) adopts with reads only, and warns about the other manager", async () => {
      secondDecl = { dpId: "g1-dp", queueId: "g1-q", adoptExisting: true };
      const { result, requests } = await h.track(() => outcome(second.up()));
      const log = record("s1", "second-stack-adopt", requests);
      expect(result).toMatch(/^succeeded/);
      expect(flat(result)).toContain(
        "if another resource still manages it, set `leaveOnDelete: true` on it before removing it",
      );
      expect(writes(requests)).toEqual([]);
      expect(log.length).toBe(2);
    });

    it("the second stack's destroy leaves the objects; stack one still manages them", async () => {
      const { result, requests } = await h.track(() => outcome(second.destroy()));
      const log = record("s1", "second-stack-destroy", requests);
      expect(result).toMatch(/^succeeded/);
      expect(flat(result)).toContain('left distribution policy "g1-dp" in place');
      expect(writes(requests)).toEqual([]);
      expect(log).toEqual([]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g1-dp", "queues/g1-q"]);
      const { result: refreshed } = await h.track(() => owner.refresh());
      expect(refreshed.summary.resourceChanges).toEqual({ same: 3 });
      expect((await owner.preview()).changeSummary).toEqual({ same: 3 });
    });

    it("scenario 3: another project adopts them (an export program) and its destroy leaves them", async () => {
      other = await h.stack(
        pairProgram(() => ({ dpId: "g1-dp", queueId: "g1-q", adoptExisting: true })),
        {
          freshRunner: true,
          project: "gitops-export",
        },
      );
      const up = await h.track(() => outcome(other.up()));
      const upLog = record("s3", "other-project-up", up.requests);
      expect(up.result).toMatch(/^succeeded/);
      expect(writes(up.requests)).toEqual([]);
      expect(upLog.length).toBe(2);
      const down = await h.track(() => outcome(other.destroy()));
      const downLog = record("s3", "other-project-destroy", down.requests);
      expect(down.result).toMatch(/^succeeded/);
      expect(flat(down.result)).toContain('left queue "g1-q" in place');
      expect(downLog).toEqual([]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g1-dp", "queues/g1-q"]);
      const { result: refreshed } = await h.track(() => owner.refresh());
      expect(refreshed.summary.resourceChanges).toEqual({ same: 3 });
    });

    it("stack one's destroy deletes them (it created them)", async () => {
      const { requests } = await h.track(() => owner.destroy());
      record("s1", "stack-one-destroy", requests);
      expect(writes(requests)).toEqual([
        "DELETE /routing/queues/g1-q 204",
        "DELETE /routing/distributionPolicies/g1-dp 204",
      ]);
      expect(present(h, ids)).toEqual([]);
    });
  });

  describe("scenario 2: the documented move to another project (leaveOnDelete, adopt, remove)", () => {
    const ids = ["g2-dp", "g2-q"];
    let oldDecl: PairDecl = { dpId: "g2-dp", queueId: "g2-q" };
    let newDecl: PairDecl = { dpId: "g2-dp", queueId: "g2-q", adoptExisting: true };
    let oldStack: HarnessStack;
    let newStack: HarnessStack;

    it("the old project creates them", async () => {
      oldStack = await h.stack(
        pairProgram(() => oldDecl),
        { freshRunner: true },
      );
      const { requests } = await h.track(() => oldStack.up());
      record("s2", "old-up", requests);
      expect(writes(requests).length).toBe(2);
    });

    it("leaveOnDelete: true on the old resources is an update that writes nothing", async () => {
      oldDecl = { ...oldDecl, leaveOnDelete: true };
      const { result, requests } = await h.track(() => outcome(oldStack.up()));
      const log = record("s2", "old-leaveOnDelete", requests);
      expect(result).toMatch(/^succeeded/);
      expect(writes(requests)).toEqual([]);
      expect(log.every((l) => l.startsWith("GET "))).toBe(true);
      expect((await oldStack.previewJson()).changeSummary).toEqual({ same: 3 });
    });

    it("the new project adopts them with reads only", async () => {
      newStack = await h.stack(
        pairProgram(() => newDecl),
        { freshRunner: true, project: "gitops-new" },
      );
      const { result, requests } = await h.track(() => outcome(newStack.up()));
      const log = record("s2", "new-adopt", requests);
      expect(result).toMatch(/^succeeded/);
      expect(writes(requests)).toEqual([]);
      expect(log.length).toBe(2);
    });

    it("removing them from the old project leaves them on the service, with one line each", async () => {
      oldDecl = { ...oldDecl, omit: true };
      const { result, requests } = await h.track(() => outcome(oldStack.up()));
      const log = record("s2", "old-remove", requests);
      expect(flat(result)).toContain(
        'jobrouter: left queue "g2-q" in place: RouterQueue "sales" has `leaveOnDelete: true`',
      );
      expect(log).toEqual([]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g2-dp", "queues/g2-q"]);
      expect((await newStack.previewJson()).changeSummary).toEqual({ same: 3 });
    });

    it("the new project takes full charge (leaveOnDelete: false, no write); its destroy deletes them", async () => {
      newDecl = { ...newDecl, leaveOnDelete: false };
      const up = await h.track(() => newStack.up());
      record("s2", "new-leaveOnDelete-false", up.requests);
      expect(writes(up.requests)).toEqual([]);
      const down = await h.track(() => newStack.destroy());
      record("s2", "new-destroy", down.requests);
      expect(writes(down.requests)).toEqual([
        "DELETE /routing/queues/g2-q 204",
        "DELETE /routing/distributionPolicies/g2-dp 204",
      ]);
      expect(present(h, ids)).toEqual([]);
    });
  });

  describe("a move between projects with pulumi state move", () => {
    const ids = ["g4-dp", "g4-q"];
    let source: HarnessStack;
    let dest: HarnessStack;
    let sourceDecl: PairDecl = { dpId: "g4-dp", queueId: "g4-q" };

    it("moves both resources; the destination previews no change, the source's destroy deletes nothing", async () => {
      source = await h.stack(
        pairProgram(() => sourceDecl),
        { freshRunner: true },
      );
      await source.up();
      dest = await h.stack(
        pairProgram(() => ({ dpId: "g4-dp", queueId: "g4-q" })),
        {
          freshRunner: true,
          project: "gitops-dest",
        },
      );
      const urns = (await source.resources())
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
        .map((r) => r.urn);
      expect(urns.length).toBe(2);
      const { result: moved, requests } = await h.track(() =>
        source.cli([
          "state",
          "move",
          "--source",
          `organization/${source.project}/${source.name}`,
          "--dest",
          `organization/${dest.project}/${dest.name}`,
          "--yes",
          ...urns,
        ]),
      );
      record("move", "state-move", requests);
      expect(moved.code, moved.stdout + moved.stderr).toBe(0);
      expect(calls(requests)).toEqual([]);
      const preview = await h.track(() => dest.previewJson());
      record("move", "dest-preview", preview.requests);
      expect(preview.result.changeSummary).toEqual({ same: 3 });
      const destUp = await h.track(() => dest.up());
      record("move", "dest-up", destUp.requests);
      expect(destUp.result.summary.resourceChanges).toEqual({ same: 3 });
      sourceDecl = { ...sourceDecl, omit: true };
      const down = await h.track(() => source.destroy());
      record("move", "source-destroy", down.requests);
      expect(calls(down.requests)).toEqual([]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g4-dp", "queues/g4-q"]);
      const destDown = await h.track(() => dest.destroy());
      record("move", "dest-destroy", destDown.requests);
      expect(writes(destDown.requests)).toEqual([
        "DELETE /routing/queues/g4-q 204",
        "DELETE /routing/distributionPolicies/g4-dp 204",
      ]);
    });
  });

  describe("pulumi up killed on runner A, the next run on runner B", () => {
    const ids = ["g5-dp", "g5-q"];
    let decl: PairDecl = { dpId: "g5-dp", queueId: "g5-q" };
    let stack: HarnessStack;

    it("runner A dies after the service made the queue, before the state recorded it", async () => {
      stack = await h.stack(
        pairProgram(() => decl),
        { freshRunner: true },
      );
      killWhen = (e) => e.method === "PATCH" && e.path === "/routing/queues/g5-q";
      const { result, requests } = await h.track(() => outcome(stack.up()));
      record("crash", "runner-a-up-killed", requests);
      expect(result).not.toMatch(/^succeeded/);
      expect(killed).toBeGreaterThan(0);
      expect(present(h, ids)).toEqual(["distributionPolicies/g5-dp", "queues/g5-q"]);
    });

    it("runner B: cancel, refresh --clear-pending-creates; up is refused with a fix that works here", async () => {
      let cancel = await stack.cli(["cancel", "--yes", "--stack", stack.name]);
      if (/failed to load checkpoint: EOF/.test(cancel.stdout + cancel.stderr)) {
        await removeEmptyAttrs(h);
        cancel = await stack.cli(["cancel", "--yes", "--stack", stack.name]);
      }
      expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
      await stack.refresh({ clearPendingCreates: true });
      expect((await stack.resources(QUEUE_TYPE)).length).toBe(0);
      const { result, requests } = await h.track(() => outcome(stack.up()));
      const log = record("crash", "runner-b-up", requests);
      const text = flat(result);
      expect(text).toContain('cannot create queue "g5-q": an object with this id already exists');
      expect(text).toContain("interrupted `pulumi up` of this stack");
      expect(text).toContain("`adoptExisting: true` and `leaveOnDelete: false`");
      expect(writes(requests)).toEqual([]);
      expect(log).toContain("GET /routing/queues/g5-q 200");
      expect(present(h, ids)).toEqual(["distributionPolicies/g5-dp", "queues/g5-q"]);
    });

    it("runner C: following the fix converges with reads only; runner D's destroy deletes both", async () => {
      decl = { ...decl, adoptExisting: true, leaveOnDelete: false };
      const { requests } = await h.track(() => stack.up());
      record("crash", "runner-c-up-fixed", requests);
      expect(writes(requests)).toEqual([]);
      expect((await stack.resources(QUEUE_TYPE)).length).toBe(1);
      expect((await stack.previewJson()).changeSummary).toEqual({ same: 3 });
      const down = await h.track(() => stack.destroy());
      record("crash", "runner-d-destroy", down.requests);
      expect(writes(down.requests)).toEqual([
        "DELETE /routing/queues/g5-q 204",
        "DELETE /routing/distributionPolicies/g5-dp 204",
      ]);
      expect(present(h, ids)).toEqual([]);
    });
  });

  describe("scenario 6: the ContactCenter itself renamed", () => {
    const ids = ["g6-idle", "g6-vip"];
    let componentName = "alpha";
    let aliases: string[] | undefined;
    let stack: HarnessStack;

    const program = async (): Promise<void> => {
      const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
      new ContactCenter(
        componentName,
        {
          communicationServices: { existing: { connectionString } },
          distributionPolicies: { idle: { id: "g6-idle", name: "Idle", mode: { kind: "longestIdle" } } },
          queues: { vip: { id: "g6-vip", name: "VIP", distributionPolicy: "idle" } },
        },
        aliases ? { aliases: aliases.map((name) => ({ name })) } : {},
      );
    };

    it("a renamed component is refused with the alias fix at the component; nothing is written", async () => {
      stack = await h.stack(program, { freshRunner: true });
      await stack.up();
      componentName = "beta";
      const { result, requests } = await h.track(() => outcome(stack.up()));
      const log = record("s6", "cc-renamed", requests);
      const text = flat(result);
      expect(text).toContain(
        'ContactCenter "beta" distributionPolicies.idle: cannot create distribution policy "g6-idle"',
      );
      expect(text).toContain(
        'If you renamed the ContactCenter (now "beta"), add `aliases: [{ name: "<old name>" }]` to the options of the ContactCenter "beta"',
      );
      expect(writes(requests)).toEqual([]);
      expect(log.every((l) => l.startsWith("GET "))).toBe(true);
      expect(present(h, ids)).toEqual(["distributionPolicies/g6-idle", "queues/g6-vip"]);
    });

    it("with the alias the next up keeps every child (no write, no delete on the service)", async () => {
      aliases = ["alpha"];
      const preview = await h.track(() => stack.previewJson());
      record("s6", "cc-alias-preview", preview.requests);
      const changed = preview.result.steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.op} ${s.urn.split("::").pop()}`);
      // The refused up recorded the renamed component (components are recorded before their children run); with the
      // alias, its children are the old children, and only the old component's empty entry leaves the state.
      expect(changed).toEqual(["delete alpha"]);
      const { result, requests } = await h.track(() => stack.up());
      record("s6", "cc-alias-up", requests);
      expect(result.summary.resourceChanges).toEqual({ same: 4, delete: 1 });
      expect(writes(requests)).toEqual([]);
      expect(present(h, ids)).toEqual(["distributionPolicies/g6-idle", "queues/g6-vip"]);
      const next = await h.track(() => stack.previewJson());
      expect(next.result.changeSummary).toEqual({ same: 4 });
      const urns = (await stack.resources()).map((r) => r.urn.split("::").pop());
      expect(urns).toEqual(expect.arrayContaining(["beta", "beta-dp-idle", "beta-queue-vip"]));
      expect(urns).not.toContain("alpha");
    });
  });
});
