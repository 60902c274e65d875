// The routing core: pure, clock-driven Job Router routing with no HTTP and no store. Each concept has one home:
// - configuration by id ............ ./config
// - the routing state machine ...... ./router (jobs, workers, offers, capacity and channels, matching, events)
// - service order of a queue ....... ./waiting
// - classification ................. ../emulator/runtime/classification (rules, attachments, prioritization)
// - label selectors and expiry ..... ../emulator/runtime/selectors
// - distribution modes, eligibility  ../emulator/runtime/distribution (longestIdle, roundRobin, bestWorker, capacity)
// - exception triggers and actions . ../emulator/runtime/exceptions
// - expressions (PowerFx subset) ... ../emulator/runtime/expression
// - time ........................... ../emulator/runtime/clock (Clock, ManualClock)

export * from "./config";
export * from "./waiting";
export * from "./router";
export { classify, pickWeighted } from "../emulator/runtime/classification";
export { matchesAll, matchesSelector, compareLabel } from "../emulator/runtime/selectors";
export {
  eligibleWorkers,
  offersToIssue,
  orderLongestIdle,
  orderRoundRobin,
  defaultScore,
  loadRatio,
} from "../emulator/runtime/distribution";
export {
  queueLengthRulesFired,
  waitTimeSchedule,
  effectiveActions,
  upsertLabels,
} from "../emulator/runtime/exceptions";
export { ManualClock, type Clock, type TimerHandle, type TimerCallback } from "../emulator/runtime/clock";
