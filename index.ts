// Package root: the dynamic resources, the ContactCenter component and the client.
export * from "./provider";
export * from "./components";
