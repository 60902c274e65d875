// `npm run bench` — see docs/performance-and-reliability.md.
//
//   npm run bench                                   N = 100, 300, 1000, then routing (1,000 workers, 10,000 jobs)
//   npm run bench -- --sizes 100,300                other sizes (also BENCH_SIZES)
//   npm run bench -- --sizes 1000 --merge           add to the sizes already in bench/results/results.json
//   npm run bench -- --no-routing | --only-routing  --workers 1000 --jobs 10000 --submitters 32
//   npm run bench -- --no-simulation | --only-simulation   the simulator (bench/simulation.ts), with SimPy alongside
//   npm run bench -- --checkpoint-probe 300,1000   sizes whose up is also timed with PULUMI_SKIP_CHECKPOINTS=true
//   npm run bench -- --accept                       routing with workers accepting their offers over HTTP
//   npm run bench -- --out /tmp/bench               write results elsewhere (trial runs)
//   npm run bench -- --only-export                  jobrouter-export of 1,000 objects under 10% 429/503 (bench/export.ts)
//
// Everything goes through the real engine (the pinned CLI in .cache/pulumi) against in-process emulators. Results
// land in bench/results/: results.json, results.md, chart.svg (written via *.tmp + rename).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cp, mkdir, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBin, repoRoot, withBuildLock } from "./cli";
import { ENGINE_DEFAULT_PARALLEL, engineBench } from "./engine";
import { exportBenchMain } from "./export";
import { chartSvg, markdown, type BenchResults, type MachineInfo } from "./report";
import { routingBench } from "./routing";
import { simulationBench } from "./simulation";

export interface BenchArgs {
  sizes: number[];
  routing: boolean;
  engine: boolean;
  simulation: boolean;
  merge: boolean;
  workers: number;
  jobs: number;
  submitters: number;
  outDir: string;
  keep: boolean;
  /** Sizes whose up is also timed with PULUMI_SKIP_CHECKPOINTS=true. */
  checkpointProbe: number[];
  /** Workers accept their offers during the routing benchmark. */
  accept: boolean;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const args: BenchArgs = {
    sizes: (env.BENCH_SIZES ?? "100,300,1000").split(",").map(Number),
    routing: true,
    engine: true,
    simulation: true,
    merge: false,
    workers: 1000,
    // The size issue 8 asks for: 1,000 workers and 10,000 jobs (about a minute or two on a shared 2-core machine).
    jobs: 10000,
    submitters: 32,
    outDir: path.join(repoRoot, "bench", "results"),
    keep: env.BENCH_KEEP === "1",
    checkpointProbe: [1000],
    accept: false,
  };
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a whole number > 0, got ${value}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = argv[i + 1];
    switch (a) {
      case "--sizes":
        args.sizes = (value ?? "").split(",").map((x) => number("--sizes", x));
        i += 1;
        break;
      case "--workers":
        args.workers = number(a, value);
        i += 1;
        break;
      case "--jobs":
        args.jobs = number(a, value);
        i += 1;
        break;
      case "--submitters":
        args.submitters = number(a, value);
        i += 1;
        break;
      case "--no-routing":
        args.routing = false;
        break;
      case "--only-routing":
        args.engine = false;
        args.simulation = false;
        break;
      case "--no-simulation":
        args.simulation = false;
        break;
      case "--only-simulation":
        args.engine = false;
        args.routing = false;
        break;
      case "--checkpoint-probe":
        args.checkpointProbe = (value ?? "")
          .split(",")
          .filter((x) => x !== "")
          .map((x) => number(a, x));
        i += 1;
        break;
      case "--accept":
        args.accept = true;
        break;
      case "--merge":
        args.merge = true;
        break;
      case "--keep":
        args.keep = true;
        break;
      case "--out":
        // Trial runs write elsewhere instead of overwriting the committed results.
        if (!value) throw new Error("--out: expected a directory");
        args.outDir = path.resolve(value);
        i += 1;
        break;
      default:
        throw new Error(`unknown argument ${a} (see bench/run.ts)`);
    }
  }
  for (const n of args.sizes) if (!Number.isInteger(n) || n <= 0) throw new Error(`--sizes: bad size ${n}`);
  return args;
}

function machine(): MachineInfo {
  let pulumiCli = "unknown";
  try {
    pulumiCli = execFileSync(pulumiBin, ["version"], { encoding: "utf8" }).trim();
  } catch {
    // reported as unknown
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: os.loadavg(),
    memTotalBytes: os.totalmem(),
    node: process.version,
    pulumiCli,
    os: `${os.type()} ${os.release()}`,
  };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function write(outDir: string, results: BenchResults): void {
  writeAtomic(path.join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(path.join(outDir, "results.md"), markdown(results));
  writeAtomic(path.join(outDir, "chart.svg"), chartSvg(results));
}

async function main(): Promise<void> {
  // The exporter's benchmark stands alone (bench/export.ts): no engine, no results.json row.
  if (process.argv.includes("--only-export")) return exportBenchMain(process.argv.slice(2));
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  };
  await mkdir(args.outDir, { recursive: true });
  const previous: BenchResults | undefined =
    args.merge && existsSync(path.join(args.outDir, "results.json"))
      ? (JSON.parse(readFileSync(path.join(args.outDir, "results.json"), "utf8")) as BenchResults)
      : undefined;
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: "",
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: machine(),
    engineParallel: ENGINE_DEFAULT_PARALLEL,
    notes: [
      "`pulumi up` runs with `--skip-preview --yes` and the default `--parallel`; the client creates the same objects " +
        "(bench/workload.ts) in dependency waves with the same number of requests in flight, from its own process.",
      "Request counts come from the emulator's request log; minimum = 0 for a no-op preview, k for an update of k, N " +
        "for refresh and destroy (and N for the initial up).",
      "Peak RSS is sampled every 100 ms from /proc over the CLI's process tree (CLI, language host and program, " +
        "dynamic-provider hosts, their sh wrappers).",
    ],
    // Kept from the previous run: the sizes this run does not measure, and the routing row unless it is re-measured.
    sizes: previous ? previous.sizes.filter((x) => !(args.engine && args.sizes.includes(x.n))) : [],
    ...(previous?.routing && !args.routing ? { routing: previous.routing } : {}),
    ...(previous?.simulation && !args.simulation ? { simulation: previous.simulation } : {}),
  };
  if (previous) results.notes.push(`Merged with the run of ${previous.startedAt} (sizes not re-measured here).`);
  const workRoot = path.join(repoRoot, ".cache", "bench", `run-${Date.now()}`);
  // A private copy of the build: other people's `npm run build` empties dist/ for a few seconds at a time.
  const snapshot = path.join(workRoot, "dist");
  await withBuildLock(() => cp(path.resolve(__dirname, ".."), snapshot, { recursive: true }));
  const loadScript = path.join(snapshot, "bench", "load.js");
  log(`machine: ${JSON.stringify(results.machine)}`);
  try {
    if (args.engine) {
      for (const n of args.sizes) {
        log(`engine benchmark, N=${n}`);
        const started = Date.now();
        const r = await engineBench({
          n,
          workRoot,
          log,
          loadScript,
          checkpointProbe: args.checkpointProbe.includes(n),
        });
        results.sizes = [...results.sizes.filter((x) => x.n !== n), r].sort((a, b) => a.n - b.n);
        results.finishedAt = new Date().toISOString();
        write(args.outDir, results);
        log(`N=${n} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    if (args.routing) {
      log(`routing benchmark: ${args.workers} workers, ${args.jobs} jobs, ${args.submitters} submitters`);
      results.routing = await routingBench({
        workers: args.workers,
        jobs: args.jobs,
        parallel: args.submitters,
        loadScript,
        accept: args.accept,
      });
      const g = results.routing;
      log(
        `routing: emulator ${g.offersPerSecond.toFixed(0)} offers/s (p99 ${g.offerLatencyMs.p99.toFixed(1)} ms), ` +
          `floor ${g.floor.offersPerSecond.toFixed(0)} offers/s (p99 ${g.floor.latencyMs.p99.toFixed(1)} ms), ` +
          `emulator ÷ floor ${g.ratio.toFixed(2)}, core alone ${g.core.offersPerSecond.toFixed(0)} offers/s ` +
          `(p99 ${g.core.offerLatencyMs.p99.toFixed(3)} ms)`,
      );
    }
    if (args.simulation) {
      log("simulation benchmark: 100,000 jobs over 1,000 workers in 20 queues; M/M/c against SimPy");
      results.simulation = await simulationBench(log);
    }
  } finally {
    results.finishedAt = new Date().toISOString();
    write(args.outDir, results);
    if (!args.keep) await rm(workRoot, { recursive: true, force: true });
  }
  process.stdout.write(markdown(results));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
