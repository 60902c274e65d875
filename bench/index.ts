// The benchmark (`npm run bench`, bench/run.ts) and the pieces the reliability tests share with it.
export * from "./workload";
export * from "./procs";
export * from "./cli";
export * from "./load";
export * from "./engine";
export * from "./routing";
export * from "./report";
export { runLoadProcess } from "./spawn-load";
export { parseArgs, type BenchArgs } from "./run";
export * from "./verify";
export * from "./floor";
export * from "./routing-core";
