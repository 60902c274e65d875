// Pieces of the provider's messages that say what to do: where the endpoint came from when it cannot be
// reached, progress while the client retries, and errors that print as their message alone.

import type { JobRouterError } from "./client/errors";
import { UNREACHABLE_CODES, type RetryEvent } from "./client/retryPolicy";
import { CONNECTION_CONFIG_KEY, ENDPOINT_CONFIG_KEY, describeSource, type ResolvedConnection } from "./connection";
import { hostLog } from "./hostLog";

function sourceOf(via: ResolvedConnection["via"]): string {
  // The config route also says how to set it: these hints end a failed request's message.
  if (via === "config")
    return `${describeSource(via)} (pulumi config set --secret ${CONNECTION_CONFIG_KEY} "endpoint=...;accesskey=...")`;
  if (via === "endpointConfig")
    return `${describeSource(via)} (pulumi config set ${ENDPOINT_CONFIG_KEY} https://<resource>.communication.azure.com)`;
  return describeSource(via);
}

/**
 * What the provider appends to a failed request's message: the likely causes in the user's terms and where the
 * connection came from (the client calls it for each error; `undefined` adds nothing).
 * - unreachable: how to start an emulator in the user's own project, or which host name Azure uses;
 * - 401: the key (or Entra ID token) is wrong for this endpoint, and which route gave it;
 * - 404 to a write: a Job Router never answers 404 to PATCH (it creates), so the endpoint is something else.
 */
export function connectionHint(
  via: ResolvedConnection["via"],
  auth: ResolvedConnection["auth"] = "accessKey",
): (e: JobRouterError) => string | undefined {
  const source = sourceOf(via);
  return (e) => {
    if (UNREACHABLE_CODES.includes(e.code)) {
      return (
        "Likely fixes: for the local emulator, start it in your project " +
        "(`npx jobrouter-emulator --port <port> --access-key <key> --data <folder>`, see docs/getting-started.md) and check that the " +
        "port in the endpoint is the one it listens on; for Azure, check the host name (https://<resource>.communication.azure.com). " +
        `This endpoint comes from ${source}`
      );
    }
    if (e.statusCode === 401 && auth === "entraId") {
      return (
        `The endpoint comes from ${source} and the request carried an Entra ID token from DefaultAzureCredential: ` +
        "check which identity it found (environment, workload identity, managed identity, Azure CLI) and that the token " +
        "is for this resource's tenant"
      );
    }
    if (e.statusCode === 401) {
      return (
        `The endpoint and key come from ${source}: set the key of this endpoint there ` +
        "(Azure portal: the Communication Services resource, Keys; the local emulator: the `--access-key` it was started with, " +
        "a new random one at each start without it)"
      );
    }
    if (e.statusCode === 404 && /^(PATCH|PUT) /.test(e.message)) return `This endpoint comes from ${source}`;
    return undefined;
  };
}

/** Retries at or after this attempt are also said as a warning that stays in the summary. */
const WARN_FROM_ATTEMPT = 4;

/** Retries from this attempt on are shown while they happen: a single retry is routine, not news. */
const SHOW_FROM_ATTEMPT = 3;

/** Shows retries while they happen (ephemeral) from the second one, and warns once a call has needed several. */
export function retryReporter(e: RetryEvent): void {
  if (e.attempt < SHOW_FROM_ATTEMPT) return;
  const seconds = Math.round(e.elapsedMs / 1000);
  const what = /^\d+$/.test(e.reason) ? `the service answered ${e.reason}` : `the request failed (${e.reason})`;
  const text = `jobrouter: ${e.method} ${e.path}: ${what}; retrying (attempt ${e.attempt}, ${seconds} s so far)`;
  void hostLog("info", text, { ephemeral: true });
  if (e.attempt === WARN_FROM_ATTEMPT) {
    void hostLog(
      "warning",
      `jobrouter: ${e.method} ${e.path}: ${what} again and again; still retrying (attempt ${e.attempt}, ${seconds} s so far). ` +
        "Throttling (429) or an overloaded service (503) usually passes; the client gives up after 9 attempts.",
    );
  }
}

/** Starts the text the dynamic-provider host prints to stderr for a `stackless` error (see below). */
const QUIET = "\u2063jobrouter-refusal\u2063";

/**
 * An error that is a message for the user, not a crash. The engine shows a failed operation's message with
 * the resource. For a failed delete the dynamic-provider host also prints `${error}: ${error.stack}` to its
 * stderr, which the engine shows once more under the stack, with a stack trace into this package's compiled
 * files. This error has no stack, and its text on stderr is dropped (quietHostErrors), so it is said once.
 */
export function stackless(message: string): Error {
  const e = new Error(message);
  Object.defineProperty(e, "stack", { value: "", enumerable: false, writable: true, configurable: true });
  Object.defineProperty(e, "toString", { value: () => `${QUIET}${message}`, enumerable: false });
  return e;
}

let quieted = false;

/**
 * In the dynamic-provider host only: drops the host's stderr echo of a `stackless` error (the engine already
 * shows its message with the resource). Every other line passes through unchanged.
 */
export function quietHostErrors(): void {
  if (quieted || !/dynamic-provider/.test(process.argv[1] ?? "")) return;
  quieted = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]): void => {
    if (typeof args[0] === "string" && args[0].startsWith(QUIET)) return;
    original(...args);
  };
}
