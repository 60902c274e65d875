#!/usr/bin/env node
// Entry of the plugin `pulumi-resource-jobrouter` (plugin/bin/pulumi-resource-jobrouter starts it with Node):
// serves the native provider over gRPC with `@pulumi/pulumi/provider`'s main(). The engine passes its address
// as the first argument; main() prints the port it listens on.

import { main } from "@pulumi/pulumi/provider";
import { installConfig } from "./config";
import { installGrpcHooks } from "./grpcHooks";
import { JobRouterProvider } from "./provider";

async function serve(): Promise<void> {
  installGrpcHooks();
  await installConfig();
  await main(new JobRouterProvider(), process.argv.slice(2));
}

serve().catch((e: unknown) => {
  console.error(`pulumi-resource-jobrouter: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
