// Simulator benchmarks (part of `npm run bench`; alone: `npm run bench -- --only-simulation`):
// - a contact center: 100,000 jobs over 1,000 workers in 20 queues, classified by a policy (passThrough queue
//   selector, passThrough worker selector that expires, expression prioritization) with label selectors;
// - M/M/c (one queue, longestIdle, c = 50 at load 0.9, exponential handle times), the same scenario also run by a
//   minimal SimPy model for comparison. SimPy is installed from PyPI into a venv under .cache on first use.
// Wall time covers the simulation run only (not validation, not process start). Figures are printed as measured.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { RoutingConfig } from "../routing/config";
import { runSimulation } from "../simulator/run";
import { validateScenario, type Traffic } from "../simulator/scenario";
import { repoRoot } from "./cli";

export interface SimulationBenchRow {
  name: string;
  jobs: number;
  events: number;
  /** Wall time of the run. */
  seconds: number;
  jobsPerSecond: number;
  /** CPU time (user + system) of the run: less disturbed than wall time on a shared machine. */
  cpuSeconds: number;
  jobsPerCpuSecond: number;
}

export interface SimulationBenchResult {
  contactCenter: SimulationBenchRow;
  mmc: SimulationBenchRow;
  /** Undefined when SimPy could not be installed or run (the reason is in `simpyError`). */
  simpy?: SimulationBenchRow;
  simpyError?: string;
  simpyVersion?: string;
}

const SIMPY_VERSION = "4.1.1";
const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

export function contactCenterScenario(): { config: RoutingConfig; traffic: Traffic } {
  const queues = Array.from({ length: 20 }, (_, i) => `q${String(i + 1).padStart(2, "0")}`);
  const config: RoutingConfig = {
    distributionPolicies: [
      { id: "li", offerExpiresAfterSeconds: 30, mode: { kind: "longestIdle" } },
      { id: "best", offerExpiresAfterSeconds: 30, mode: { kind: "bestWorker" } },
    ],
    queues: queues.map((id, i) => ({ id, distributionPolicyId: i % 4 === 3 ? "best" : "li", labels: { dept: id } })),
    classificationPolicies: [
      {
        id: "triage",
        queueSelectorAttachments: [{ kind: "passThrough", key: "dept", labelOperator: "equal" }],
        workerSelectorAttachments: [
          { kind: "passThrough", key: "language", labelOperator: "equal", expiresAfterSeconds: 60 },
        ],
        prioritizationRule: { kind: "expression", language: "powerFx", expression: "If(job.vip = true, 10, 1)" },
      },
    ],
    exceptionPolicies: [],
  };
  // 20 teams of 50: each serves its own queue and the next one; 40 speak English, 10 French.
  const workers: Traffic["workers"] = [];
  queues.forEach((q, i) => {
    const next = queues[(i + 1) % queues.length] as string;
    workers.push({
      count: 40,
      idPrefix: `${q}-en`,
      queues: [q, next],
      labels: { language: "en" },
      capacity: 1,
      channels: voice,
    });
    workers.push({
      count: 10,
      idPrefix: `${q}-fr`,
      queues: [q, next],
      labels: { language: "fr" },
      capacity: 1,
      channels: voice,
    });
  });
  const labelMix = queues.flatMap((q) => [
    { weight: 0.76, labels: { dept: q, language: "en", vip: false } },
    { weight: 0.04, labels: { dept: q, language: "en", vip: true } },
    { weight: 0.2, labels: { dept: q, language: "fr", vip: false } },
  ]);
  return {
    config,
    traffic: {
      // 1,000 workers, 300 s mean handle: 12,000 jobs/h at full load; 10,000/h for 10 hours is load 0.83.
      durationSeconds: 36_000,
      seed: 1,
      workers,
      arrivals: [
        {
          channelId: "voice",
          classificationPolicyId: "triage",
          ratePerHour: 10_000,
          labelMix,
          handleSeconds: { exponential: { mean: 300 } },
          patienceSeconds: { exponential: { mean: 600 } },
        },
      ],
    },
  };
}

export const MMC = { c: 50, load: 0.9, meanHandleSeconds: 180, jobs: 100_000 };

export function mmcScenario(): { config: RoutingConfig; traffic: Traffic } {
  const ratePerHour = (MMC.load * MMC.c * 3600) / MMC.meanHandleSeconds;
  return {
    config: {
      distributionPolicies: [{ id: "li", mode: { kind: "longestIdle" } }],
      queues: [{ id: "q", distributionPolicyId: "li" }],
      classificationPolicies: [],
      exceptionPolicies: [],
    },
    traffic: {
      durationSeconds: Math.round((MMC.jobs / ratePerHour) * 3600),
      seed: 2,
      workers: [{ count: MMC.c, idPrefix: "agent", queues: ["q"], capacity: 1, channels: voice }],
      arrivals: [
        {
          channelId: "voice",
          queueId: "q",
          ratePerHour,
          handleSeconds: { exponential: { mean: MMC.meanHandleSeconds } },
        },
      ],
    },
  };
}

async function timeRun(name: string, s: { config: RoutingConfig; traffic: Traffic }): Promise<SimulationBenchRow> {
  validateScenario(s);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const r = await runSimulation(s.config, s.traffic);
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = (used.user + used.system) / 1e6;
  const jobs = r.jobs.length;
  return {
    name,
    jobs,
    events: r.events,
    seconds,
    jobsPerSecond: jobs / seconds,
    cpuSeconds,
    jobsPerCpuSecond: jobs / cpuSeconds,
  };
}

// A minimal SimPy M/M/c: Poisson arrivals, one Resource of c servers, exponential service; prints jobs and seconds.
const SIMPY_MODEL = `
import random, sys, time
import simpy

c, load, mean_handle, jobs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rate = load * c / mean_handle
random.seed(2)
waits = []

def caller(env, agents):
    arrived = env.now
    with agents.request() as req:
        yield req
        waits.append(env.now - arrived)
        yield env.timeout(random.expovariate(1 / mean_handle))

def source(env, agents):
    for _ in range(jobs):
        yield env.timeout(random.expovariate(rate))
        env.process(caller(env, agents))

env = simpy.Environment()
agents = simpy.Resource(env, capacity=c)
env.process(source(env, agents))
started = time.perf_counter()
cpu = time.process_time()
env.run()
seconds = time.perf_counter() - started
print(len(waits), seconds, time.process_time() - cpu, sum(waits) / len(waits))
`;

function simpyPython(log: (line: string) => void): string {
  const venv = path.join(repoRoot, ".cache", "simpy-venv");
  const python = path.join(venv, "bin", "python");
  const ok = (): boolean =>
    existsSync(python) &&
    spawnSync(python, [
      "-c",
      `import importlib.metadata as m, sys; sys.exit(0 if m.version("simpy") == "${SIMPY_VERSION}" else 1)`,
    ]).status === 0;
  if (!ok()) {
    log(`installing simpy ${SIMPY_VERSION} into ${path.relative(repoRoot, venv)}`);
    mkdirSync(path.dirname(venv), { recursive: true });
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(python, ["-m", "pip", "install", "--quiet", `simpy==${SIMPY_VERSION}`], { stdio: "inherit" });
  }
  return python;
}

function runSimpy(log: (line: string) => void): { row: SimulationBenchRow; version: string } {
  const python = simpyPython(log);
  const script = path.join(repoRoot, ".cache", "simpy-venv", "mmc.py");
  writeFileSync(script, SIMPY_MODEL);
  const out = execFileSync(
    python,
    [script, String(MMC.c), String(MMC.load), String(MMC.meanHandleSeconds), String(MMC.jobs)],
    {
      encoding: "utf8",
    },
  );
  const [jobs, seconds, cpuSeconds] = out.trim().split(/\s+/).map(Number) as [number, number, number];
  return {
    row: {
      name: "M/M/c (SimPy)",
      jobs,
      events: 0,
      seconds,
      jobsPerSecond: jobs / seconds,
      cpuSeconds,
      jobsPerCpuSecond: jobs / cpuSeconds,
    },
    version: SIMPY_VERSION,
  };
}

export async function simulationBench(log: (line: string) => void): Promise<SimulationBenchResult> {
  const contactCenter = await timeRun(
    "contact center: 1,000 workers, 20 queues, classification + selectors",
    contactCenterScenario(),
  );
  log(
    `simulation, contact center: ${contactCenter.jobs} jobs in ${contactCenter.seconds.toFixed(2)} s = ${contactCenter.jobsPerSecond.toFixed(0)} jobs/s (CPU ${contactCenter.cpuSeconds.toFixed(2)} s = ${contactCenter.jobsPerCpuSecond.toFixed(0)} jobs/CPU-s)`,
  );
  const mmc = await timeRun(`M/M/c (routing core): c=${MMC.c}, load ${MMC.load}`, mmcScenario());
  log(
    `simulation, M/M/c: ${mmc.jobs} jobs in ${mmc.seconds.toFixed(2)} s = ${mmc.jobsPerSecond.toFixed(0)} jobs/s (CPU ${mmc.cpuSeconds.toFixed(2)} s = ${mmc.jobsPerCpuSecond.toFixed(0)} jobs/CPU-s)`,
  );
  const result: SimulationBenchResult = { contactCenter, mmc };
  try {
    const s = runSimpy(log);
    result.simpy = s.row;
    result.simpyVersion = s.version;
    log(
      `SimPy ${s.version}, M/M/c: ${s.row.jobs} jobs in ${s.row.seconds.toFixed(2)} s = ${s.row.jobsPerSecond.toFixed(0)} jobs/s (CPU ${s.row.cpuSeconds.toFixed(2)} s = ${s.row.jobsPerCpuSecond.toFixed(0)} jobs/CPU-s)`,
    );
  } catch (e) {
    result.simpyError = e instanceof Error ? e.message : String(e);
    log(`SimPy comparison not run: ${result.simpyError}`);
  }
  return result;
}
