export * from "./types";
export { MemoryStore } from "./memory";
export { FileStore } from "./file";
export { cloneJson } from "./clone";

import { FileStore } from "./file";
import { MemoryStore } from "./memory";
import type { Store } from "./types";

/** In memory by default; write-through files under `dataDir` when given. */
export function createStore(dataDir?: string): Store {
  return dataDir ? new FileStore(dataDir) : new MemoryStore();
}
