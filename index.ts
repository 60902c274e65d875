// Package root: the dynamic resources and the ContactCenter component. The REST client is `pulumi-jobrouter/client`
// (its model names, e.g. `RouterQueue`, would clash with the resources here).
export * from "./provider";
export * from "./components";
