// The Job Router simulator: a routing configuration against traffic, in virtual time, on the routing core.

export {
  simulate,
  simulateWithRuns,
  reportJson,
  serviceLevelThresholds,
  DEFAULT_SERVICE_LEVEL_SECONDS,
} from "./simulate";
export type { SimulationRuns } from "./simulate";
export { validateScenario, validateConfig, ScenarioError } from "./scenario";
export type { Scenario, Traffic, WorkerGroup, ArrivalStream, WorkerBehaviour, LabelMixEntry } from "./scenario";
export type {
  Report,
  SimulationReport,
  QueueStats,
  QueueReport,
  GroupOccupancy,
  Differences,
  JobDifference,
} from "./report";
export { statsOf } from "./stats";
export { renderMarkdown, chartLink, type MarkdownOptions } from "./markdown";
export { renderSvg } from "./svg";
export {
  configFromStackExport,
  configFromPreview,
  configFromLive,
  configFromResources,
  resourcesToConfig,
} from "./sources";
export type { ResourceView } from "./sources";
export { runSimulation, SIM_EPOCH_MS, UNCLASSIFIED } from "./run";
export type { RunResult, JobRecord, Outcome } from "./run";
export { Rng, sampleDuration, type Duration } from "./random";
export { VirtualClock } from "./clock";
