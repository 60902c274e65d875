// The routing state machine (see ./core): state, events, the host contract, and the core itself.

export * from "./state";
export * from "./events";
export * from "./host";
export { RoutingCore } from "./core";
export { MatchIndex, MatchSnapshot } from "./matchIndex";
