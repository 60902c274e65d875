// Cancellation of a Pulumi run reaches the provider here, so that requests in flight end at once.
//
// On the first SIGINT/SIGTERM the Pulumi CLI stops scheduling steps, calls every provider's Cancel RPC and
// waits for the steps in flight to finish; only a second signal kills the plugins. The Node dynamic-provider
// host answers Cancel and does nothing else (cmd/dynamic-provider: `cancel(call, callback) { callback() }`),
// and offers no hook, so a request to a server that never answers held the whole run.
//
// The host serves its RPCs with @grpc/grpc-js, which looks up the handler of every incoming call through
// `Server.prototype._retrieveHandler(path)`. Wrapping that method in the grpc-js copies already loaded by
// the host lets this module see the Cancel call and abort `cancelSignal()`, which every client of the
// provider carries (engine.ts `clientFor`): requests in flight and retries waiting to start end with an
// AbortError, the step fails, and the CLI exits. The wrap is installed only inside the dynamic-provider
// host and only where the method exists; anywhere else (another grpc-js, a test) it is a no-op, and the
// timeout (requestTimeout.ts) still bounds every request.

const CANCEL_PATH = "/pulumirpc.ResourceProvider/Cancel";

const controller = new AbortController();

/** Aborted once the engine has cancelled the run. */
export function cancelSignal(): AbortSignal {
  return controller.signal;
}

/** True once the engine has cancelled the run. */
export function isCancelled(): boolean {
  return controller.signal.aborted;
}

/** Marks the run cancelled (the Cancel RPC, or a test). */
export function cancelRun(): void {
  if (!controller.signal.aborted) controller.abort(new Error("the Pulumi run was cancelled"));
}

type RetrieveHandler = (this: unknown, path: string) => unknown;
interface GrpcServerModule {
  Server?: { prototype: { _retrieveHandler?: RetrieveHandler & { jobrouterCancelHook?: true } } };
}

let installed = false;

/** In the dynamic-provider host: watch for the engine's Cancel call (see above). Idempotent. */
export function installCancelHook(): void {
  if (installed) return;
  installed = true;
  if (!/dynamic-provider/.test(process.argv[1] ?? "")) return;
  const cache = require.cache as Record<string, { exports?: unknown } | undefined>;
  for (const [file, mod] of Object.entries(cache)) {
    if (!/[\\/]@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]server\.js$/.test(file)) continue;
    const proto = (mod?.exports as GrpcServerModule | undefined)?.Server?.prototype;
    const original = proto?._retrieveHandler;
    if (proto === undefined || typeof original !== "function" || original.jobrouterCancelHook) continue;
    const wrapped = function (this: unknown, path: string): unknown {
      if (path === CANCEL_PATH) cancelRun();
      return original.call(this, path);
    };
    proto._retrieveHandler = Object.assign(wrapped, { jobrouterCancelHook: true as const });
  }
}

/** The error of an operation ended by the cancellation. */
export function cancelledError(what: string): Error {
  const e = new Error(
    `jobrouter: ${what} was cancelled: the Pulumi run was cancelled while its request was in flight, and the ` +
      "request was ended without waiting for the answer (a write may or may not have been applied). Run " +
      "`pulumi refresh` to load what the service now holds, then `pulumi up` again.",
  );
  Object.defineProperty(e, "stack", { value: "", enumerable: false, writable: true, configurable: true });
  return e;
}
