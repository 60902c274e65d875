// Warnings and progress from inside the dynamic-provider host, shown by the engine like any diagnostic.
//
// `pulumi.log` does not reach the engine from the dynamic-provider host: the host is started by the engine
// with the engine's address as its first argument but never hands it to the SDK's runtime, so `pulumi.log`
// falls back to the plugin's stderr. This module sends the engine's own Log RPC to that address instead
// (the SDK's generated gRPC client, loaded from the SDK's own dependencies, as the SDK itself does). Outside
// the host (unit tests, a program calling the provider directly) it writes to stderr.
//
// Providers do not receive their URN, so messages name the object themselves (`queue "support"`).

import { createRequire } from "node:module";

type Severity = "info" | "warning";

interface LogRequestLike {
  setSeverity(s: number): void;
  setMessage(m: string): void;
  setUrn(u: string): void;
  setEphemeral(e: boolean): void;
}
interface EngineClientLike {
  log(req: LogRequestLike, cb: (err: Error | null) => void): void;
  close?(): void;
}
interface EngineModules {
  client: EngineClientLike;
  newRequest(): LogRequestLike;
  severity: Record<Severity, number>;
}

let engine: EngineModules | null | undefined;
const said = new Set<string>();

/**
 * The engine's address when this process is the dynamic-provider host (argv: node <host> <engine>), or the native
 * provider plugin, which hands it over in PULUMI_JOBROUTER_ENGINE_ADDRESS (plugin/main.ts).
 */
function engineAddress(): string | undefined {
  const fromPlugin = process.env["PULUMI_JOBROUTER_ENGINE_ADDRESS"];
  if (fromPlugin !== undefined && /^[\w.[\]:-]+:\d+$/.test(fromPlugin)) return fromPlugin;
  const script = process.argv[1] ?? "";
  if (!/dynamic-provider/.test(script)) return undefined;
  const address = process.argv[2];
  return address !== undefined && /^[\w.[\]:-]+:\d+$/.test(address) ? address : undefined;
}

function connect(): EngineModules | null {
  if (engine !== undefined) return engine;
  engine = null;
  const address = engineAddress();
  if (address === undefined) return engine;
  try {
    const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = sdkRequire("@grpc/grpc-js") as {
      credentials: { createInsecure(): unknown };
    };
    const rpc = sdkRequire("./proto/engine_grpc_pb.js") as {
      EngineClient: new (address: string, credentials: unknown) => EngineClientLike;
    };
    const proto = sdkRequire("./proto/engine_pb.js") as {
      LogRequest: new () => LogRequestLike;
      LogSeverity: { INFO: number; WARNING: number };
    };
    engine = {
      client: new rpc.EngineClient(address, grpc.credentials.createInsecure()),
      newRequest: () => new proto.LogRequest(),
      severity: { info: proto.LogSeverity.INFO, warning: proto.LogSeverity.WARNING },
    };
  } catch {
    engine = null;
  }
  return engine;
}

/**
 * Shows `message` once per process (the same warning from the check of preview and of update is said once).
 * `ephemeral` messages (progress) are shown while the operation runs and not kept in the summary.
 */
export function hostLog(severity: Severity, message: string, options: { ephemeral?: boolean } = {}): Promise<void> {
  if (!options.ephemeral) {
    if (said.has(message)) return Promise.resolve();
    said.add(message);
  }
  const e = connect();
  if (e === null) {
    process.stderr.write(`${severity}: ${message}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const req = e.newRequest();
    req.setSeverity(e.severity[severity]);
    req.setMessage(message);
    req.setUrn("");
    req.setEphemeral(options.ephemeral === true);
    e.client.log(req, (err) => {
      if (err !== null) process.stderr.write(`${severity}: ${message}\n`);
      resolve();
    });
  });
}
