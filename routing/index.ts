// The routing core: pure, clock-driven Job Router routing. No module here imports HTTP, the emulator's store or its
// request handling; rules that call out (function, webhook) go through an injected HttpCaller. Used by the emulator
// (emulator/runtime: HTTP, store, Event Grid delivery around it) and by the simulator (simulator/: virtual time).
// Each concept has one home:
// - configuration by id ................ ./config
// - jobs, workers, offers, capacity and
//   channels, matching, routing events . ./router (the state machine the simulator drives)
// - service order of a queue ........... ./waiting
// - classification (attachments,
//   queue selection, prioritization) .... ./classification
// - rules (static, directMap,
//   expression, function, webhook) ...... ./rules
// - expressions (PowerFx subset) ....... ./expression
// - label selectors, expiry, expedite .. ./selectors
// - distribution modes, eligibility,
//   capacity and channels, offers count  ./distribution (longestIdle, roundRobin, bestWorker)
// - exception triggers and actions ..... ./exceptions
// - time and the service's time format . ./clock (Clock, ManualClock)

export * from "./config";
export * from "./waiting";
export * from "./router";
export * from "./classification";
export * from "./rules";
export * from "./expression";
export * from "./selectors";
export * from "./distribution";
export * from "./exceptions";
export * from "./clock";
