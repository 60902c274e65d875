export * from "./contactCenter";
export * from "./eventTypes";
export * from "./references";
