// One size of the engine benchmark: `pulumi up` of N bench objects through the real CLI against a fresh emulator,
// the client creating the same objects at the same parallelism against another fresh emulator, then the requests
// a no-op preview, an update of k objects, a refresh and a destroy send, the state size, and the engine's memory.

import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "../emulator";
import { ADMIN_COLLECTIONS } from "../provider/client/models";
import { CliStack, repoRoot, type CliResult } from "./cli";
import type { LoadResult } from "./load";
import type { RssPeak } from "./procs";
import { runLoadProcess } from "./spawn-load";
import { benchObjects, mixOf } from "./workload";

/** The CLI's default `--parallel` at 3.259.0 (printed by `pulumi up --help`); the client uses the same. */
export const ENGINE_DEFAULT_PARALLEL = 8;

export interface RequestCount {
  /** Requests the emulator answered (or dropped) during the command. */
  sent: number;
  /** The least any tool needs for the same outcome. */
  minimum: number;
  byMethod: Record<string, number>;
}

export interface CommandFigures {
  wallMs: number;
  rss: RssPeak | undefined;
  requests: RequestCount;
}

export interface EngineBenchResult {
  n: number;
  mix: Record<string, number>;
  parallel: number;
  /** `pulumi up --skip-preview` creating N objects. */
  up: CommandFigures;
  /** The client creating the same objects (its own process, `parallel` in flight, dependency waves). */
  client: LoadResult;
  /** up wall time / client wall time. */
  ratio: number;
  preview: CommandFigures;
  update: CommandFigures & { k: number };
  refresh: CommandFigures;
  destroy: CommandFigures;
  state: {
    checkpointBytes: number;
    bytesPerObject: number;
    /** Sum of the serialized `__provider` outputs of the bench resources, per object. */
    providerBytesPerObject: number;
    /** Distinct `__provider` strings (one per resource type when providers are serialized by reference). */
    distinctProviders: number;
  };
  /**
   * The same `pulumi up` on a fresh stack and emulator with PULUMI_SKIP_CHECKPOINTS=true (the engine then writes
   * the state once at the end instead of after every step): how much of the up is spent rewriting the state.
   */
  upWithoutIntermediateCheckpoints?: { wallMs: number; requests: number };
  /** Objects on the service after up and after destroy (should be N and 0). */
  objectsAfterUp: number;
  objectsAfterDestroy: number;
}

function countObjects(emulator: RunningEmulator): number {
  return ADMIN_COLLECTIONS.reduce((sum, c) => sum + emulator.store.list(c).length, 0);
}

function countRequests(log: readonly RequestLogEntry[], minimum: number): RequestCount {
  const byMethod: Record<string, number> = {};
  for (const r of log) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  return { sent: log.length, minimum, byMethod };
}

async function measured(
  emulator: RunningEmulator,
  stack: CliStack,
  args: string[],
  minimum: number,
): Promise<CommandFigures & { result: CliResult }> {
  emulator.clearRequests();
  const result = await stack.must(args, { sampleRss: true });
  return {
    result,
    wallMs: result.wallMs,
    rss: result.rss,
    requests: countRequests(emulator.requests, minimum),
  };
}

export interface EngineBenchOptions {
  n: number;
  /** How many objects the update changes; default max(1, n/10). */
  k?: number;
  /** Where stacks live (inside the repository). */
  workRoot: string;
  log?: (line: string) => void;
  /** The compiled load.js to run (default: next to this module). */
  loadScript?: string;
  /** Also time an up with PULUMI_SKIP_CHECKPOINTS=true on a fresh stack. */
  checkpointProbe?: boolean;
}

export async function engineBench(options: EngineBenchOptions): Promise<EngineBenchResult> {
  const { n } = options;
  const k = options.k ?? Math.max(1, Math.floor(n / 10));
  const log = options.log ?? (() => undefined);
  const functionKey = randomBytes(24).toString("base64");
  const parallel = ENGINE_DEFAULT_PARALLEL;

  // The client baseline first, against its own emulator.
  const clientEmulator = await startEmulator({ port: 0, maxLogEntries: 1 });
  let client: LoadResult;
  try {
    client = await runLoadProcess(
      clientEmulator.connectionString,
      { mode: "create", n, parallel },
      functionKey,
      options.loadScript,
    );
    const made = countObjects(clientEmulator);
    if (made !== n) throw new Error(`client baseline made ${made} objects, expected ${n}`);
  } finally {
    await clientEmulator.close();
  }
  log(`  n=${n}: client ${(client.wallMs / 1000).toFixed(2)} s`);

  const emulator = await startEmulator({ port: 0, maxLogEntries: 1_000_000 });
  try {
    const stack = await CliStack.create({
      workDir: path.join(options.workRoot, `n${n}`),
      programDir: path.join(repoRoot, "bench", "program"),
      config: {
        "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
        "bench:n": { value: String(n) },
        "bench:functionKey": { value: functionKey, secret: true },
      },
    });

    // Default --parallel (not passed), as a user runs it. --skip-preview: the update itself, like the client.
    const up = await measured(emulator, stack, ["up", "--yes", "--skip-preview"], n);
    const objectsAfterUp = countObjects(emulator);
    log(
      `  n=${n}: pulumi up ${(up.wallMs / 1000).toFixed(2)} s, ${up.requests.sent} requests, ${objectsAfterUp} objects`,
    );

    const preview = await measured(emulator, stack, ["preview", "--expect-no-changes"], 0);
    log(`  n=${n}: no-op preview ${(preview.wallMs / 1000).toFixed(2)} s, ${preview.requests.sent} requests`);

    await stack.setConfig("bench:changed", String(k));
    const update = await measured(emulator, stack, ["up", "--yes", "--skip-preview"], k);
    log(`  n=${n}: update of ${k} ${(update.wallMs / 1000).toFixed(2)} s, ${update.requests.sent} requests`);

    const refresh = await measured(emulator, stack, ["refresh", "--yes", "--skip-preview"], n);
    log(`  n=${n}: refresh ${(refresh.wallMs / 1000).toFixed(2)} s, ${refresh.requests.sent} requests`);

    const text = await stack.checkpointText();
    const checkpoint = JSON.parse(text) as {
      checkpoint: { latest?: { resources?: { type: string; outputs?: Record<string, unknown> }[] } };
    };
    const resources = (checkpoint.checkpoint.latest?.resources ?? []).filter((r) =>
      r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"),
    );
    let providerBytes = 0;
    const providers = new Set<string>();
    for (const r of resources) {
      const p = r.outputs?.["__provider"];
      const s = typeof p === "string" ? p : JSON.stringify(p ?? "");
      providerBytes += Buffer.byteLength(JSON.stringify(s));
      providers.add(s);
    }
    const checkpointBytes = Buffer.byteLength(text);

    const destroy = await measured(emulator, stack, ["destroy", "--yes", "--skip-preview"], n);
    const objectsAfterDestroy = countObjects(emulator);
    log(`  n=${n}: destroy ${(destroy.wallMs / 1000).toFixed(2)} s, ${destroy.requests.sent} requests`);

    let upWithoutIntermediateCheckpoints: EngineBenchResult["upWithoutIntermediateCheckpoints"];
    if (options.checkpointProbe) {
      const probeEmulator = await startEmulator({ port: 0, maxLogEntries: 1 });
      try {
        const probe = await CliStack.create({
          workDir: path.join(options.workRoot, `n${n}-skip-checkpoints`),
          programDir: path.join(repoRoot, "bench", "program"),
          config: {
            "jobrouter:connectionString": { value: probeEmulator.connectionString, secret: true },
            "bench:n": { value: String(n) },
            "bench:functionKey": { value: functionKey, secret: true },
          },
        });
        const r = await probe.must(["up", "--yes", "--skip-preview"], { env: { PULUMI_SKIP_CHECKPOINTS: "true" } });
        const made = countObjects(probeEmulator);
        if (made !== n) throw new Error(`checkpoint probe made ${made} objects, expected ${n}`);
        upWithoutIntermediateCheckpoints = { wallMs: r.wallMs, requests: probeEmulator.requests.length };
        log(`  n=${n}: up with PULUMI_SKIP_CHECKPOINTS=true ${(r.wallMs / 1000).toFixed(2)} s`);
      } finally {
        await probeEmulator.close();
      }
    }

    const strip = ({ wallMs, rss, requests }: CommandFigures): CommandFigures => ({ wallMs, rss, requests });
    return {
      n,
      mix: mixOf(benchObjects(n)),
      parallel,
      up: strip(up),
      client,
      ratio: up.wallMs / client.wallMs,
      preview: strip(preview),
      update: { ...strip(update), k },
      refresh: strip(refresh),
      destroy: strip(destroy),
      state: {
        checkpointBytes,
        bytesPerObject: checkpointBytes / n,
        providerBytesPerObject: providerBytes / n,
        distinctProviders: providers.size,
      },
      ...(upWithoutIntermediateCheckpoints ? { upWithoutIntermediateCheckpoints } : {}),
      objectsAfterUp,
      objectsAfterDestroy,
    };
  } finally {
    await emulator.close();
  }
}
