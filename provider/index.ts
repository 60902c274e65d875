// The four dynamic resources, their argument types, and the pure helpers they are built on.
export * from "./resources";
export * from "./types";
export {
  CONNECTION_CONFIG_KEY,
  CONNECTION_ENV_VAR,
  ENDPOINT_CONFIG_KEY,
  type Connection,
  type ConnectionDetails,
} from "./connection";
export { canonicalSpec, derivedActionId, withDerivedActionIds } from "./canonical";
export { mergePatchFor, applyMergePatch } from "./mergePatch";
export { KINDS, type KindInfo } from "./kinds";
export { UNKNOWN } from "./json";
export { JOURNAL_DIR_ENV_VAR, JOURNAL_MAX_AGE_MS } from "./journal";
