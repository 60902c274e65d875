// Provider configuration (`jobrouter:connectionString`, `jobrouter:endpoint`) for the plugin.
//
// @pulumi/pulumi 3.259's provider server answers Configure itself and never hands the configuration to the
// provider object, so two sources are read here:
//  - the Configure request, captured by grpcHooks.ts: its variables are `jobrouter:config:<key>` with plain
//    (decrypted) values. This is the only source for an explicit provider resource
//    (`jobrouter:Provider` with `connectionString` or `endpoint`), which gets its own plugin process;
//  - PULUMI_CONFIG, which the engine sets when it starts the plugin, with the package's keys bare
//    (`{"connectionString": "...", "endpoint": "..."}`).
// The engine (provider/engine.ts) reads `jobrouter:connectionString` and `jobrouter:endpoint` through its
// `configure` hook, exactly as the dynamic-provider host feeds it the stack config, so resolution (the order, the
// refusal of both at once) and its messages are the same.

import { CONNECTION_CONFIG_KEY, ENDPOINT_CONFIG_KEY } from "../provider/connection";
import { configure } from "../provider/engine";
import { isObject } from "../provider/json";
import { PACKAGE } from "./urn";

/** Values from the Configure request, by full key (`jobrouter:connectionString`). */
const fromConfigure = new Map<string, string>();

/** Records a Configure request's variables (`jobrouter:config:connectionString` → `jobrouter:connectionString`). */
export function recordConfigure(variables: Iterable<[string, string]>): void {
  fromConfigure.clear();
  for (const [key, value] of variables) {
    const m = /^([^:]+):config:(.+)$/.exec(key);
    fromConfigure.set(m ? `${m[1]}:${m[2]}` : key, value);
  }
}

function fromEnvironment(key: string): string | undefined {
  const prefix = `${PACKAGE}:`;
  if (!key.startsWith(prefix)) return undefined;
  const raw = process.env["PULUMI_CONFIG"];
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isObject(parsed)) return undefined;
    const v = parsed[key.slice(prefix.length)] ?? parsed[key];
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The two ways to reach the namespace, taken as one setting: when the Configure request names either, both come
 * from it alone. An explicit provider with `endpoint` is started with the stack's PULUMI_CONFIG all the same, and
 * the stack's `connectionString` from there must not join its endpoint (that pair is refused as ambiguous).
 */
const CONNECTION_KEYS: readonly string[] = [CONNECTION_CONFIG_KEY, ENDPOINT_CONFIG_KEY];

function configuredConnection(): boolean {
  return CONNECTION_KEYS.some((k) => (fromConfigure.get(k) ?? "") !== "");
}

/** The plugin's configuration, as the engine's `configure` expects it. */
export const pluginConfig = {
  get(key: string): string | undefined {
    if (CONNECTION_KEYS.includes(key) && configuredConnection()) return fromConfigure.get(key);
    return fromConfigure.get(key) ?? fromEnvironment(key);
  },
};

/** Hands the plugin's configuration to the engine (once, at start: `get` reads the sources at call time). */
export async function installConfig(): Promise<void> {
  await configure({ config: pluginConfig });
}
