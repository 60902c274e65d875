// simulate(scenario) → report: run the configuration (or before and after, on the very same callers) and report.

import type { RoutingConfig } from "../routing/config";
import { buildReport, differences, measured, type ReportOptions, type SimulationReport } from "./report";
import { runSimulation, type RunResult } from "./run";
import { validateScenario, type Scenario, type Traffic } from "./scenario";

export const DEFAULT_SERVICE_LEVEL_SECONDS = 20;

/** The thresholds of a traffic object, in the order given (a single number is one threshold). */
export function serviceLevelThresholds(traffic: Traffic): number[] {
  const t = traffic.serviceLevelSeconds;
  if (t === undefined) return [DEFAULT_SERVICE_LEVEL_SECONDS];
  return Array.isArray(t) ? [...t] : [t];
}

function optionsFor(config: RoutingConfig, traffic: Traffic): ReportOptions {
  return {
    serviceLevelThresholds: serviceLevelThresholds(traffic),
    warmupSeconds: traffic.warmupSeconds ?? 0,
    durationSeconds: traffic.durationSeconds,
    queueIds: config.queues.map((q) => q.id),
    streamNames: traffic.arrivals.map((a, i) => a.name ?? `arrivals[${i}]`),
  };
}

export interface SimulationRuns {
  before?: RunResult;
  after: RunResult;
  report: SimulationReport;
}

/** Like simulate, but also returns the raw runs (job records) for tools and tests. */
export async function simulateWithRuns(input: unknown): Promise<SimulationRuns> {
  const scenario: Scenario = validateScenario(input);
  const traffic = scenario.traffic;
  if (scenario.config) {
    const after = await runSimulation(scenario.config, traffic);
    return { after, report: { after: buildReport(after, optionsFor(scenario.config, traffic)) } };
  }
  const beforeConfig = scenario.before as RoutingConfig;
  const afterConfig = scenario.after as RoutingConfig;
  const before = await runSimulation(beforeConfig, traffic);
  const after = await runSimulation(afterConfig, traffic);
  const bo = optionsFor(beforeConfig, traffic);
  const ao = optionsFor(afterConfig, traffic);
  const afterReport = buildReport(after, ao);
  afterReport.differences = differences(measured(before, bo), measured(after, ao));
  return { before, after, report: { before: buildReport(before, bo), after: afterReport } };
}

/** Validate the scenario (throws ScenarioError naming every bad field) and simulate it. */
export async function simulate(input: unknown): Promise<SimulationReport> {
  return (await simulateWithRuns(input)).report;
}

/** The report as JSON text: the same seed gives the same bytes. */
export function reportJson(report: SimulationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
