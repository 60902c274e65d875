// service-level-guardrail's config: its schema, its checks (a typo must not silently switch a bound off), and where a
// relative trafficFile is found.

import { existsSync } from "node:fs";
import * as path from "node:path";
import type { SchemaWithDefaults } from "./common";

export interface QueueBound {
  minServiceLevel?: number;
  maxAbandonRate?: number;
  maxCancelRate?: number;
}

export interface ServiceLevelConfig {
  /** The traffic to simulate (the `traffic` object of a scenario), as a JSON file. */
  trafficFile: string;
  /** Lowest share (0..1) of a queue's callers (answered, abandoned and cancelled) answered within the threshold. */
  minServiceLevel: number;
  /** Highest share (0..1) of a queue's callers who abandon. */
  maxAbandonRate: number;
  /** Highest share (0..1) of a queue's callers cancelled (by an exception rule, a failed classification, unserved). */
  maxCancelRate: number;
  /**
   * Bounds for single queues, by queue id, overriding the three above: an escalation queue only receives callers who
   * already waited past a threshold, so its service level (counted from arrival) is near 0 by design.
   */
  queueBounds: Record<string, QueueBound>;
}

const BOUNDS = ["minServiceLevel", "maxAbandonRate", "maxCancelRate"] as const;
const FIELDS = ["trafficFile", ...BOUNDS, "queueBounds"] as const;

const share = (description: string): Record<string, unknown> => ({
  type: "number",
  minimum: 0,
  maximum: 1,
  description,
});

export const schema: SchemaWithDefaults = {
  properties: {
    trafficFile: {
      type: "string",
      default: "traffic.json",
      description:
        "JSON file with the traffic to simulate (workers, arrivals, seed; see docs/simulation.md). A relative path is resolved against the Pulumi project's directory (the folder of Pulumi.yaml).",
    },
    minServiceLevel: {
      ...share("Lowest allowed simulated service level per queue (0..1), over all callers who left the queue."),
      default: 0.8,
    },
    maxAbandonRate: { ...share("Highest allowed simulated abandonment rate per queue (0..1)."), default: 0.1 },
    maxCancelRate: {
      ...share("Highest allowed simulated share of cancelled callers per queue (0..1)."),
      default: 0.02,
    },
    queueBounds: {
      type: "object",
      default: {},
      description:
        'Per-queue overrides by queue id, e.g. { "escalations": { "minServiceLevel": 0 } }: each may set minServiceLevel, maxAbandonRate and maxCancelRate.',
      additionalProperties: {
        type: "object",
        properties: {
          minServiceLevel: share("Lowest allowed simulated service level of this queue."),
          maxAbandonRate: share("Highest allowed simulated abandonment rate of this queue."),
          maxCancelRate: share("Highest allowed simulated share of cancelled callers of this queue."),
        },
        additionalProperties: false,
      },
    },
  },
};

/** A close known name for a typo ("minServicelevel" → "minServiceLevel"), or undefined. */
function suggest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => distance(k.toLowerCase(), lower) <= 2);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

function unknownField(at: string, name: string, known: readonly string[]): string {
  const close = suggest(name, known);
  return (
    `${at}${JSON.stringify(name)} is not a field of service-level-guardrail's config (its fields: ${known.join(", ")}). ` +
    `Fix: ${close ? `rename it to ${JSON.stringify(close)}` : "remove it"} in the policy config.`
  );
}

const isShare = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

/** Every problem of the given config (the values the engine passed, before defaults): field named, rule, fix. */
export function configProblems(given: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    if (k === "enforcementLevel" || v === undefined) continue;
    if (!(FIELDS as readonly string[]).includes(k)) out.push(unknownField("config field ", k, FIELDS));
    else if (k === "trafficFile" && (typeof v !== "string" || v === ""))
      out.push(`config field trafficFile must be a non-empty path to a JSON traffic file.`);
    else if ((BOUNDS as readonly string[]).includes(k) && !isShare(v))
      out.push(`config field ${k} must be a number from 0 to 1 (a share of callers), not ${JSON.stringify(v)}.`);
  }
  const qb = given.queueBounds;
  if (qb !== undefined && (typeof qb !== "object" || qb === null || Array.isArray(qb)))
    out.push(`config field queueBounds must be an object of bounds by queue id.`);
  else if (qb) {
    for (const [queue, b] of Object.entries(qb)) {
      const at = `queueBounds.${queue}`;
      if (typeof b !== "object" || b === null || Array.isArray(b)) {
        out.push(`config field ${at} must be an object with ${BOUNDS.join(", ")}.`);
        continue;
      }
      for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
        if (!(BOUNDS as readonly string[]).includes(k)) out.push(unknownField(`config field ${at}.`, k, BOUNDS));
        else if (!isShare(v))
          out.push(`config field ${at}.${k} must be a number from 0 to 1, not ${JSON.stringify(v)}.`);
      }
    }
  }
  return out;
}

/** queueBounds keys that name no queue of the stack: a renamed queue would otherwise silently lose its bounds. */
export function unknownQueueBounds(cfg: ServiceLevelConfig, queueIds: readonly string[]): string[] {
  const listed = queueIds.map((q) => JSON.stringify(q)).join(", ") || "none";
  return Object.keys(cfg.queueBounds)
    .filter((q) => !queueIds.includes(q))
    .map((q) => {
      const close = suggest(q, queueIds);
      return (
        `config field queueBounds.${q} names queue ${JSON.stringify(q)}, which is not in the stack (its queues: ${listed}). ` +
        `Fix: ${close ? `rename the key to ${JSON.stringify(close)}` : "rename the key to the queue's id, or remove it"} in the policy config.`
      );
    });
}

// ------------------------------------------------------------------ trafficFile

/**
 * The directory the pack process started in, before the pack's entry point moves to its own folder. The engine starts
 * a Node.js pack either there (a language host's RunPlugin: the project's directory) or in the pack's folder
 * (pulumi-analyzer-policy).
 */
let startDir = process.cwd();
export function rememberStartDir(dir: string): void {
  startDir = dir;
}

const isProject = (dir: string): boolean =>
  existsSync(path.join(dir, "Pulumi.yaml")) || existsSync(path.join(dir, "Pulumi.yml"));

/**
 * The Pulumi project's directory: the start directory when it holds Pulumi.yaml; else the nearest folder above the
 * pack that does (a pack installed in the project's node_modules); else the shell's working directory ($PWD, where
 * `pulumi` was typed) when it holds Pulumi.yaml; else the start directory.
 * @pulumi/policy hands a pack its config values but not the path of the --policy-pack-config file, so a relative
 * path cannot be resolved against that file.
 */
export function projectDir(packDir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  if (isProject(startDir)) return startDir;
  for (let d = path.resolve(packDir); ; d = path.dirname(d)) {
    if (isProject(d)) return d;
    if (path.dirname(d) === d) break;
  }
  const shell = env.PWD;
  return shell && path.isAbsolute(shell) && isProject(shell) ? shell : startDir;
}

export function resolveTrafficFile(file: string, packDir?: string): string {
  return path.isAbsolute(file) ? file : path.resolve(projectDir(packDir), file);
}
