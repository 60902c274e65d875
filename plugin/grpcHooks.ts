// Two gaps of @pulumi/pulumi 3.259's provider server (`@pulumi/pulumi/provider`'s main()), closed at the one
// place we can reach them without a copy of the server: the gRPC service implementation it registers.
//  - Configure: the server answers it without handing the configuration to the provider object, so the
//    request's variables are recorded first (config.ts).
//  - Read: `pulumi import` sends a ReadRequest without properties and the server's read() calls
//    `getProperties().toJavaScript()` on undefined; such a request gets an empty property bag first.
// Everything is loaded from the SDK's own dependencies, so the classes are the very ones its server uses.

import { createRequire } from "node:module";
import { recordConfigure } from "./config";

type Callback = (err: unknown, value?: unknown) => void;
interface Call<T> {
  request: T;
}
interface ConfigureRequestLike {
  getVariablesMap(): { entries(): Iterable<[string, string]> } | { toArray(): Array<[string, string]> };
}
interface ReadRequestLike {
  hasProperties(): boolean;
  setProperties(value: unknown): void;
}
type Handler<T> = (call: Call<T>, callback: Callback) => unknown;
interface Implementation {
  configure?: Handler<ConfigureRequestLike>;
  read?: Handler<ReadRequestLike>;
}
interface GrpcServerClass {
  prototype: { addService(service: unknown, implementation: Implementation): void };
}

let installed = false;

function variablesOf(req: ConfigureRequestLike): Array<[string, string]> {
  const map = req.getVariablesMap();
  return "toArray" in map ? map.toArray() : [...map.entries()];
}

/** Patches the SDK's gRPC server class so that the provider service it registers gets the two fixes. */
export function installGrpcHooks(): void {
  if (installed) return;
  installed = true;
  const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = sdkRequire("@grpc/grpc-js") as { Server: GrpcServerClass };
  const struct = sdkRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: new () => unknown };
  const original = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (this: unknown, service: unknown, implementation: Implementation) {
    const configure = implementation.configure;
    if (configure !== undefined) {
      // Own properties shadow the class's methods; grpc-js binds them to `implementation` itself.
      implementation.configure = function (this: unknown, call, callback) {
        recordConfigure(variablesOf(call.request));
        return configure.call(this, call, callback);
      };
    }
    const read = implementation.read;
    if (read !== undefined) {
      implementation.read = function (this: unknown, call, callback) {
        if (!call.request.hasProperties()) call.request.setProperties(new struct.Struct());
        return read.call(this, call, callback);
      };
    }
    return original.call(this, service, implementation);
  };
}
