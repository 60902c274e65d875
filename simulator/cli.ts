#!/usr/bin/env node
// jobrouter-simulate SCENARIO [--json OUT] [--markdown OUT] [--svg OUT]
// jobrouter-simulate --traffic FILE [--before-state FILE] (--after-preview FILE | --live) [...]
//
// Prints the markdown report on stdout; OUT "-" writes that format to stdout instead. Exit code 2 on bad input.

import { readFileSync, writeFileSync } from "node:fs";
import type { RoutingConfig } from "../routing/config";
import { reportJson, simulate } from "./simulate";
import { chartLink, renderMarkdown } from "./markdown";
import { renderSvg } from "./svg";
import { configFromLive, configFromPreview, configFromStackExport } from "./sources";
import { ScenarioError } from "./scenario";

const USAGE = `usage: jobrouter-simulate SCENARIO.json [--json OUT] [--markdown OUT] [--svg OUT]
       jobrouter-simulate --traffic TRAFFIC.json [--before-state STACK.json] [--after-preview PREVIEW.json | --live]
                          [--json OUT] [--markdown OUT] [--svg OUT]

  SCENARIO          { "config": {...} | "before": {...}, "after": {...}, "traffic": {...} }
  --traffic         a file holding only the traffic object (with the sources below)
  --before-state    \`pulumi stack export\` output: the deployed configuration (before)
  --after-preview   \`pulumi preview --json\` output: the proposed configuration (after)
  --live            the live namespace behind JOBROUTER_CONNECTION_STRING (after, or before with --after-preview)
  --json/--markdown/--svg OUT   write that form of the report to OUT ("-" = stdout)
Without output options the markdown report is printed.`;

export interface CliArgs {
  scenario?: string;
  traffic?: string;
  beforeState?: string;
  afterPreview?: string;
  live: boolean;
  json?: string;
  markdown?: string;
  svg?: string;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = { live: false };
  const valued: Record<string, keyof CliArgs> = {
    "--traffic": "traffic",
    "--before-state": "beforeState",
    "--after-preview": "afterPreview",
    "--json": "json",
    "--markdown": "markdown",
    "--svg": "svg",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const key = valued[arg];
    if (key) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      (a as unknown as Record<string, string>)[key] = v;
    } else if (arg === "--live") a.live = true;
    else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
    else if (a.scenario === undefined) a.scenario = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  const fromStack = a.beforeState !== undefined || a.afterPreview !== undefined || a.live;
  if (a.scenario !== undefined && (fromStack || a.traffic !== undefined)) {
    throw new UsageError(
      "give either a SCENARIO file or --traffic with --before-state/--after-preview/--live, not both",
    );
  }
  if (a.scenario === undefined) {
    if (a.traffic === undefined) throw new UsageError("a SCENARIO file or --traffic is required");
    if (!fromStack) throw new UsageError("--traffic needs a configuration: --before-state, --after-preview or --live");
    if (a.live && a.afterPreview !== undefined && a.beforeState !== undefined) {
      throw new UsageError("--live is the before or the after configuration; with both files given it has no place");
    }
  }
  return a;
}

class UsageError extends Error {}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`${what} ${path}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} ${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Build the scenario object the arguments describe. */
export async function scenarioFromArgs(a: CliArgs, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  if (a.scenario !== undefined) return readJson(a.scenario, "scenario");
  const traffic = readJson(a.traffic as string, "traffic");
  const live = async (): Promise<RoutingConfig> => {
    const cs = env.JOBROUTER_CONNECTION_STRING;
    if (!cs) throw new UsageError("--live reads JOBROUTER_CONNECTION_STRING, which is not set");
    return configFromLive(cs);
  };
  let beforeCfg =
    a.beforeState !== undefined ? configFromStackExport(readJson(a.beforeState, "--before-state")) : undefined;
  // --live is the after configuration unless a preview proposes one; then it is what is deployed now (before).
  let after: RoutingConfig | undefined;
  if (a.live && a.afterPreview === undefined) after = await live();
  if (a.live && a.afterPreview !== undefined) beforeCfg = await live();
  // A preview lists only what changes: its steps apply over the deployed configuration.
  if (a.afterPreview !== undefined) after = configFromPreview(readJson(a.afterPreview, "--after-preview"), beforeCfg);
  if (after === undefined) return { config: beforeCfg, traffic };
  if (beforeCfg === undefined) return { config: after, traffic };
  return { before: beforeCfg, after, traffic };
}

function emit(out: string, text: string, stdout: (s: string) => void): void {
  if (out === "-") stdout(text);
  else writeFileSync(out, text);
}

export async function main(
  argv: readonly string[],
  io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) },
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    const args = parseArgs(argv);
    const report = await simulate(await scenarioFromArgs(args));
    // The chart's link must work from where the markdown lands: relative to the markdown file's folder.
    const md = renderMarkdown(
      report,
      args.svg && args.svg !== "-" ? { svgPath: chartLink(args.svg, args.markdown) } : {},
    );
    if (args.json) emit(args.json, reportJson(report), io.out);
    if (args.markdown) emit(args.markdown, md, io.out);
    if (args.svg) emit(args.svg, renderSvg(report), io.out);
    if (!args.json && !args.markdown && !args.svg) io.out(md);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`jobrouter-simulate: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ScenarioError) {
      io.err(`jobrouter-simulate: ${err.message}\n`);
      return 2;
    }
    io.err(`jobrouter-simulate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
