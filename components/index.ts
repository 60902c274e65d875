// The ContactCenter component and its helpers.
export * from "./eventTypes";
export * from "./references";
