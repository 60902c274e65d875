// The per-attempt request timeout of the providers: the stack config `jobrouter:requestTimeoutSeconds`, else
// the environment variable JOBROUTER_REQUEST_TIMEOUT_SECONDS, else the client's default (30 s, see
// client/client.ts DEFAULT_TIMEOUT_MS). Pure: the sources are passed in, as for the connection.

import { DEFAULT_TIMEOUT_MS } from "./client/client";
import type { ConnectionSources } from "./connection";

export const TIMEOUT_CONFIG_KEY = "jobrouter:requestTimeoutSeconds";
export const TIMEOUT_ENV_VAR = "JOBROUTER_REQUEST_TIMEOUT_SECONDS";
/** An hour: beyond that a "timeout" no longer protects anything. */
export const MAX_TIMEOUT_SECONDS = 3600;

/** Where the timeout is set, for the ETIMEDOUT message. */
export const TIMEOUT_HINT =
  `the stack config \`${TIMEOUT_CONFIG_KEY}\`, e.g. pulumi config set ${TIMEOUT_CONFIG_KEY} 60, ` +
  `or the environment variable ${TIMEOUT_ENV_VAR}; default ${DEFAULT_TIMEOUT_MS / 1000} s`;

export class RequestTimeoutConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RequestTimeoutConfigError";
  }
}

function parse(raw: string, label: string): number {
  const seconds = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new RequestTimeoutConfigError(
      `jobrouter: ${label} must be a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS} ` +
        `(the per-attempt request timeout), got ${JSON.stringify(raw)}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** The per-attempt timeout in milliseconds; throws RequestTimeoutConfigError for a value that is not one. */
export function resolveRequestTimeout(sources: ConnectionSources): number {
  const fromConfig = sources.config(TIMEOUT_CONFIG_KEY);
  if (fromConfig !== undefined && fromConfig !== "")
    return parse(fromConfig, `the stack config \`${TIMEOUT_CONFIG_KEY}\``);
  const fromEnv = sources.env(TIMEOUT_ENV_VAR);
  if (fromEnv !== undefined && fromEnv !== "") return parse(fromEnv, `the environment variable ${TIMEOUT_ENV_VAR}`);
  return DEFAULT_TIMEOUT_MS;
}
