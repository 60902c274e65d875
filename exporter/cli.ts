#!/usr/bin/env node
// jobrouter-export --out DIR [--connection-string CS | --endpoint URL] [--kinds K,...] [--include PATTERN]...
//                  [--style resources|contact-center] [--project-name NAME] [--package-spec SPEC] [--force]
//
// Reads a Job Router namespace and writes a Pulumi TypeScript project that adopts it without changes. The connection
// comes from --connection-string, else JOBROUTER_CONNECTION_STRING, else --endpoint with Entra ID
// (DefaultAzureCredential). Prints what it wrote and the `pulumi config set --secret` commands to run (names only).

import { existsSync } from "node:fs";
import * as path from "node:path";
import { AzureKeyCredential } from "@azure/core-auth";
import type { TokenCredential } from "@azure/core-auth";
import { JobRouterClient } from "../provider/client/client";
import { parseConnectionString } from "../provider/client/connectionString";
import type { AdminCollection } from "../provider/client/models";
import { CONNECTION_ENV_VAR } from "../provider/connection";
import { exportNamespace, type ExportOptions } from "./export";
import { KIND_ALIASES } from "./model";
import type { ExportStyle } from "./program";
import { packageSpecValue } from "./project";
import { idMatcher } from "./select";
import { writeProject } from "./write";

export const USAGE = [
  "usage: jobrouter-export --out DIR [--connection-string CS | --endpoint URL]",
  "                        [--kinds distributionPolicies,queues,classificationPolicies,exceptionPolicies]",
  "                        [--include GLOB|/REGEX/]... [--style resources|contact-center]",
  "                        [--project-name NAME] [--package-spec SPEC] [--force]",
  `The connection: --connection-string, else $${CONNECTION_ENV_VAR}, else --endpoint (Entra ID, DefaultAzureCredential).`,
].join("\n");

export interface CliArgs {
  out: string;
  connectionString?: string;
  endpoint?: string;
  kinds?: AdminCollection[];
  include: string[];
  style: ExportStyle;
  projectName?: string;
  packageSpec?: string;
  force: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const args = [...argv];
  const out: Partial<CliArgs> & { include: string[] } = { include: [], style: "resources", force: false };
  const take = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag}: needs a value`);
    return v;
  };
  while (args.length > 0) {
    const raw = args.shift() as string;
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    if (eq > 0) args.unshift(raw.slice(eq + 1));
    switch (flag) {
      case "--out":
        out.out = take(flag);
        break;
      case "--connection-string":
        out.connectionString = take(flag);
        break;
      case "--endpoint":
        out.endpoint = take(flag);
        break;
      case "--kinds":
        out.kinds = take(flag)
          .split(",")
          .map((k) => k.trim())
          .filter((k) => k !== "")
          .map((k) => {
            const c = KIND_ALIASES[k];
            if (!c)
              throw new UsageError(
                `--kinds: unknown kind ${JSON.stringify(k)} (known: ${Object.keys(KIND_ALIASES).join(", ")})`,
              );
            return c;
          });
        break;
      case "--include":
        out.include.push(take(flag));
        break;
      case "--style": {
        const s = take(flag);
        if (s !== "resources" && s !== "contact-center")
          throw new UsageError(`--style: must be resources or contact-center (got ${JSON.stringify(s)})`);
        out.style = s;
        break;
      }
      case "--project-name":
        out.projectName = take(flag);
        break;
      case "--package-spec":
        out.packageSpec = take(flag);
        break;
      case "--force":
        out.force = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(raw)}`);
    }
  }
  if (out.out === undefined) throw new UsageError("--out: is required (the directory to write the project to)");
  if (out.connectionString !== undefined && out.endpoint !== undefined) {
    throw new UsageError("--connection-string and --endpoint: give one of them, not both");
  }
  return out as CliArgs;
}

/** The client and, for Entra ID, the endpoint the program should connect to. Errors never echo a key. */
export function clientOf(args: CliArgs, env: NodeJS.ProcessEnv): { client: JobRouterClient; entraIdEndpoint?: string } {
  const options = { userAgentPrefix: "jobrouter-export", retryOptions: { maxRetries: 8 } };
  const cs = args.connectionString ?? (args.endpoint === undefined ? env[CONNECTION_ENV_VAR] : undefined);
  if (cs !== undefined && cs !== "") {
    try {
      const { endpoint, accessKey } = parseConnectionString(cs);
      return { client: new JobRouterClient(endpoint, new AzureKeyCredential(accessKey), options) };
    } catch (e) {
      const where = args.connectionString !== undefined ? "--connection-string" : CONNECTION_ENV_VAR;
      throw new UsageError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (args.endpoint !== undefined) {
    // Loaded only on this route: @azure/identity is large.
    const identity: typeof import("@azure/identity") = require("@azure/identity");
    const credential: TokenCredential = new identity.DefaultAzureCredential();
    const client = new JobRouterClient(args.endpoint, credential, options);
    return { client, entraIdEndpoint: client.endpoint };
  }
  throw new UsageError(
    `no connection: give --connection-string, set ${CONNECTION_ENV_VAR}, or give --endpoint (Entra ID)`,
  );
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`jobrouter-export: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  try {
    const { client, entraIdEndpoint } = clientOf(args, env);
    const options: ExportOptions = {
      collections: args.kinds,
      include: args.include.length > 0 ? idMatcher(args.include) : undefined,
      style: args.style,
      projectName: args.projectName,
      packageSpec: args.packageSpec === undefined ? undefined : packageSpecValue(args.packageSpec, existsSync),
      entraIdEndpoint,
    };
    const started = Date.now();
    const result = await exportNamespace(client, options);
    const outDir = path.resolve(args.out);
    await writeProject(outDir, result.files, args.force);
    const c = result.counts;
    const total = c.distributionPolicies + c.queues + c.classificationPolicies + c.exceptionPolicies;
    const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
    const lines = [
      `Exported ${count(total, "object", "objects")} (${count(c.distributionPolicies, "distribution policy", "distribution policies")}, ` +
        `${count(c.queues, "queue", "queues")}, ${count(c.classificationPolicies, "classification policy", "classification policies")}, ` +
        `${count(c.exceptionPolicies, "exception policy", "exception policies")}) ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s to ${outDir}`,
      `Files: ${Object.keys(result.files).join(", ")}`,
    ];
    if (result.secrets.length > 0) {
      lines.push(`Secrets (read with config.requireSecret; set each before \`pulumi up\`, no value was written):`);
      for (const s of result.secrets) lines.push(`  pulumi config set --secret ${s.configName}    # ${s.description}`);
    }
    lines.push(
      "Next:",
      `  cd ${outDir} && npm install`,
      "  pulumi stack init <stack>",
      entraIdEndpoint === undefined
        ? '  pulumi config set --secret jobrouter:connectionString "endpoint=...;accesskey=..."'
        : "  (Entra ID: sign in, e.g. az login)",
      "  pulumi up    # adopts every object; writes nothing when the namespace did not change",
    );
    if (total === 0) {
      lines.push("Nothing matched: check --kinds and --include (the program declares no object).");
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`jobrouter-export: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
