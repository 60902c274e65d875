// Routing: pure, clock-driven Job Router routing. No module here imports HTTP, the emulator's store or its request
// handling; rules that call out (function, webhook) go through an injected HttpCaller. One state machine (./core) is
// run by the emulator (emulator/runtime: REST, store, ETags, Event Grid around it) and by the simulator (./router
// drives it in virtual time). Each concept has one home:
// - jobs, workers, offers, capacity and
//   channels, exception timers and
//   actions, reclassification, schedules,
//   suspend/unassign/cancel/complete/close ./core/core (RoutingCore) and ./core/state
// - the matching pass (queue and service
//   order, stale offers, who gets offers) ./core/matching, with its indexes in ./core/matchIndex
// - what a transition raises ............ ./core/events (named as the service names its events)
// - what a host provides ................ ./core/host (policies, persistence, events, HTTP for remote rules)
// - the simulator's driver .............. ./router (Router: a fixed configuration, the simulator's vocabulary)
// - configuration by id ................. ./config
// - classification (attachments,
//   queue selection, prioritization) ..... ./classification
// - rules (static, directMap,
//   expression, function, webhook) ....... ./rules
// - expressions (PowerFx subset) ........ ./expression
// - label selectors, expiry, expedite ... ./selectors
// - distribution modes, eligibility,
//   capacity and channels, offers count .. ./distribution (longestIdle, roundRobin, bestWorker)
// - exception triggers and actions ...... ./exceptions
// - time and the service's time format .. ./clock (Clock, ManualClock)

export * from "./config";
export * from "./router";
export * from "./core";
export * from "./classification";
export * from "./rules";
export * from "./expression";
export * from "./selectors";
export * from "./distribution";
export * from "./exceptions";
export * from "./clock";
