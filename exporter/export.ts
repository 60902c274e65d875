// exportNamespace: read a namespace and return the files of a Pulumi project that adopts it. No file is written
// here (see write.ts), so tests and other tools can call it in-process.

import type { JobRouterClient } from "../provider/client/client";
import type { AdminCollection } from "../provider/client/models";
import { planExport, selectObjects } from "./graph";
import { formatFile } from "./format";
import type { Namespace } from "./model";
import { generateProgram, type ExportStyle } from "./program";
import { defaultPackageSpec, projectFiles, PROJECT_NAME_RULE } from "./project";
import { readNamespace } from "./read";
import { assignSecrets } from "./secrets";

export interface ExportOptions {
  /** Kinds to export (their references are pulled in whatever their kind); default all four. */
  readonly collections?: readonly AdminCollection[];
  /** Only objects whose id passes (references are still pulled in); default all. */
  readonly include?: (id: string) => boolean;
  readonly style?: ExportStyle;
  /** Default "jobrouter-namespace". */
  readonly projectName?: string;
  /** The package.json dependency value for pulumi-jobrouter; default `^<this version>`. */
  readonly packageSpec?: string;
  /** Set when the client authenticates with Entra ID: the program then connects to this endpoint the same way. */
  readonly entraIdEndpoint?: string;
  /** `maxpagesize` of the list requests; default 100. */
  readonly maxPageSize?: number;
}

/** A secret the program reads from stack config: its name and what it is (never its value). */
export interface ExportedSecret {
  readonly configName: string;
  readonly description: string;
}

export interface ExportResult {
  /** Relative path → content, formatted. */
  readonly files: Readonly<Record<string, string>>;
  readonly secrets: readonly ExportedSecret[];
  /** How many objects of each kind were exported. */
  readonly counts: Readonly<Record<AdminCollection, number>>;
}

export class ExportOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportOptionError";
  }
}

export async function exportNamespace(client: JobRouterClient, options: ExportOptions = {}): Promise<ExportResult> {
  const projectName = options.projectName ?? "jobrouter-namespace";
  if (!PROJECT_NAME_RULE.test(projectName)) {
    throw new ExportOptionError(
      `projectName: must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (got ${JSON.stringify(projectName)})`,
    );
  }
  // Every kind is read, whatever the selection: chosen objects pull in what they refer to.
  const namespace = await readNamespace(client, { maxPageSize: options.maxPageSize });
  return exportFrom(namespace, { ...options, projectName });
}

/** The same from a namespace already read (pure apart from formatting). */
export async function exportFrom(namespace: Namespace, options: ExportOptions = {}): Promise<ExportResult> {
  const objects = selectObjects(namespace, { collections: options.collections, include: options.include });
  const plan = planExport(objects);
  const secrets = assignSecrets(plan.map((p) => p.object));
  const program = generateProgram(plan, secrets, {
    style: options.style ?? "resources",
    entraIdEndpoint: options.entraIdEndpoint,
  });
  const raw: Record<string, string> = {
    ...projectFiles({
      projectName: options.projectName ?? "jobrouter-namespace",
      packageSpec: options.packageSpec ?? defaultPackageSpec(),
    }),
    "index.ts": program,
  };
  const files: Record<string, string> = {};
  for (const name of Object.keys(raw).sort()) {
    const text = raw[name] ?? "";
    files[name] = name === ".gitignore" ? text : await formatFile(name, text);
  }
  const counts: Record<AdminCollection, number> = {
    distributionPolicies: 0,
    queues: 0,
    classificationPolicies: 0,
    exceptionPolicies: 0,
  };
  for (const o of objects) counts[o.collection] += 1;
  return {
    files,
    secrets: secrets.map((s) => ({ configName: s.configName, description: s.description })),
    counts,
  };
}
