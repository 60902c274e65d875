#!/usr/bin/env node
// Entry of the plugin `pulumi-resource-jobrouter` (plugin/bin/pulumi-resource-jobrouter starts it with Node):
// serves the native provider over gRPC with `@pulumi/pulumi/provider`'s main(). The engine passes its address
// as the first argument; main() prints the port it listens on.

import { main } from "@pulumi/pulumi/provider";
import { installConfig } from "./config";
import { installGrpcHooks } from "./grpcHooks";
import { JobRouterProvider } from "./provider";

async function serve(): Promise<void> {
  // Warnings from check (provider/hostLog.ts) go to the engine's log, as from the dynamic-provider host; the
  // engine's address is the first argument.
  const engine = process.argv.slice(2).find((a) => !a.startsWith("-"));
  if (engine !== undefined) process.env["PULUMI_JOBROUTER_ENGINE_ADDRESS"] = engine;
  installGrpcHooks();
  await installConfig();
  await main(new JobRouterProvider(), process.argv.slice(2));
}

serve().catch((e: unknown) => {
  console.error(`pulumi-resource-jobrouter: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
