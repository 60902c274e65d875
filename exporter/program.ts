// The generated program (index.ts), in one of two styles: one resource per object ("resources"), or one
// ContactCenter whose maps are keyed by id ("contact-center").

import type { AdminCollection } from "../provider/client/models";
import { KINDS } from "../provider/kinds";
import { codeOf, entryOf, json, pathKey, print, raw, type Code, type Entry, type Override } from "./code";
import type { PlannedObject } from "./graph";
import { objectKey, type LiveObject, type Reference } from "./model";
import { camelWords, type SecretSlot } from "./secrets";

export type ExportStyle = "resources" | "contact-center";

export interface ProgramOptions {
  readonly style: ExportStyle;
  /** Set when the export authenticated with Entra ID: the program connects the same way, to this endpoint. */
  readonly entraIdEndpoint?: string;
}

const CLASS_NAME: Readonly<Record<AdminCollection, string>> = {
  distributionPolicies: "DistributionPolicy",
  queues: "RouterQueue",
  classificationPolicies: "ClassificationPolicy",
  exceptionPolicies: "ExceptionPolicy",
};

const VAR_SUFFIX: Readonly<Record<AdminCollection, string>> = {
  distributionPolicies: "Distribution",
  queues: "Queue",
  classificationPolicies: "Classification",
  exceptionPolicies: "Exceptions",
};

const NOUN: Readonly<Record<AdminCollection, string>> = {
  distributionPolicies: "distribution policy",
  queues: "queue",
  classificationPolicies: "classification policy",
  exceptionPolicies: "exception policy",
};

/** Pulumi resource names and ContactCenter keys: the id itself whenever it is a plain name. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const RESERVED = new Set(["config", "connection", "pulumi", "jobrouter"]);

/** Variable names, unique in the program: `camelCase(id)` + kind, numbered on a clash. */
function variableNames(plan: readonly PlannedObject[]): Map<string, string> {
  const used = new Set<string>(RESERVED);
  const out = new Map<string, string>();
  for (const { object: o } of plan) {
    const base = camelWords(o.id);
    const suffix = VAR_SUFFIX[o.collection];
    let stem = base.toLowerCase().endsWith(suffix.toLowerCase()) ? base : `${base}${suffix}`;
    if (!/^[A-Za-z]/.test(stem)) stem = `${suffix.toLowerCase()}${stem.charAt(0).toUpperCase()}${stem.slice(1)}`;
    let name = stem;
    for (let n = 2; used.has(name); n += 1) name = `${stem}${n}`;
    used.add(name);
    out.set(objectKey(o.collection, o.id), name);
  }
  return out;
}

function secretOverrides(secrets: readonly SecretSlot[], o: LiveObject): Map<string, Override> {
  const out = new Map<string, Override>();
  for (const s of secrets) {
    if (s.object !== o) continue;
    out.set(pathKey(s.path), { code: raw(`config.requireSecret(${JSON.stringify(s.configName)})`) });
  }
  return out;
}

function unlinkedComment(ref: Reference, reason: "outside" | "cycle"): string {
  return reason === "outside"
    ? `${NOUN[ref.collection]} "${ref.id}" is not part of this export: kept as its id`
    : `${NOUN[ref.collection]} "${ref.id}": kept as its id, because the references form a cycle`;
}

/** Comment lines at the top of the program: what it is and the secrets to set before `pulumi up`. */
function header(secrets: readonly SecretSlot[]): string {
  const lines = [
    "// Written by jobrouter-export: the Job Router objects of a namespace, as they are on the service.",
    "// Every object carries `adoptExisting: true`: the first `pulumi up` takes it over without writing to it.",
  ];
  if (secrets.length > 0) {
    lines.push("// Credentials are read from secret stack config; set them before `pulumi up`:");
    for (const s of secrets)
      lines.push(`//   pulumi config set --secret ${s.configName}  # ${commentText(s.description)}`);
  }
  return lines.join("\n");
}

function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}

// ------------------------------------------------------------------ style "resources"

function resourcesProgram(
  plan: readonly PlannedObject[],
  secrets: readonly SecretSlot[],
  options: ProgramOptions,
): string {
  const vars = variableNames(plan);
  const referenced = new Set<string>();
  for (const p of plan) for (const r of p.linked) referenced.add(objectKey(r.collection, r.id));
  const classes = [...new Set(plan.map((p) => CLASS_NAME[p.object.collection]))].sort();

  const out: string[] = [header(secrets), ""];
  if (secrets.length > 0) out.push('import * as pulumi from "@pulumi/pulumi";');
  if (classes.length > 0) out.push(`import { ${classes.join(", ")} } from "pulumi-jobrouter";`);
  out.push("");
  if (secrets.length > 0) out.push("const config = new pulumi.Config();");
  if (options.entraIdEndpoint !== undefined) {
    out.push("// Entra ID (DefaultAzureCredential), as the export authenticated.");
    out.push(`const connection = { endpoint: ${JSON.stringify(options.entraIdEndpoint)} };`);
  }
  out.push("");

  for (const p of plan) {
    const o = p.object;
    const kind = KINDS[o.collection];
    const overrides = secretOverrides(secrets, o);
    for (const r of p.linked) {
      const target = vars.get(objectKey(r.collection, r.id)) ?? "";
      overrides.set(pathKey(r.path), { code: raw(`${target}.id`) });
    }
    for (const { ref, reason } of p.unlinked) {
      overrides.set(pathKey(ref.path), { code: json(ref.id), comment: unlinkedComment(ref, reason) });
    }
    const plain = PLAIN_NAME.test(o.id);
    const entries: Entry[] = [];
    if (!plain) entries.push({ key: kind.idKey, value: json(o.id) });
    for (const field of kind.fields) {
      if (o.spec[field] !== undefined) entries.push(entryOf(field, o.spec[field], overrides, [field]));
    }
    if (options.entraIdEndpoint !== undefined) entries.push({ key: "connection", value: raw("connection") });
    entries.push({ key: "adoptExisting", value: json(true) });
    const name = plain ? o.id : `${o.collection}-${camelWords(o.id) || "object"}`;
    const statement = `new ${CLASS_NAME[o.collection]}(${JSON.stringify(name)}, ${print({ t: "object", entries })});`;
    const key = objectKey(o.collection, o.id);
    out.push(referenced.has(key) ? `const ${vars.get(key) ?? ""} = ${statement}` : statement);
    out.push("");
  }
  return out.join("\n");
}

// ------------------------------------------------------------------ style "contact-center"

/** A ContactCenter map key for an id: the id itself when the component accepts it as a key. */
function keyOf(id: string, used: Set<string>): string {
  const base = PLAIN_NAME.test(id)
    ? id
    : (id.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "object").slice(0, 60);
  let key = base;
  for (let n = 2; used.has(key); n += 1) key = `${base}-${n}`;
  used.add(key);
  return key;
}

/** The component's field for each reference path, and how it names the target. */
function ccReference(ref: Reference): { field: string } | undefined {
  const last = ref.path[ref.path.length - 1];
  switch (last) {
    case "distributionPolicyId":
      return { field: "distributionPolicy" };
    case "exceptionPolicyId":
      return { field: "exceptionPolicy" };
    case "fallbackQueueId":
      return { field: "fallbackQueue" };
    case "queueId":
      return { field: "queue" };
    case "classificationPolicyId":
      return { field: "classificationPolicy" };
    default:
      return undefined; // a selector value: the component's ids are plain strings, so it stays one
  }
}

export class ExportStyleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportStyleError";
  }
}

function contactCenterProgram(
  plan: readonly PlannedObject[],
  secrets: readonly SecretSlot[],
  options: ProgramOptions,
): string {
  const keys = new Map<string, string>();
  const usedByCollection = new Map<AdminCollection, Set<string>>();
  for (const { object: o } of plan) {
    const used = usedByCollection.get(o.collection) ?? new Set<string>();
    usedByCollection.set(o.collection, used);
    keys.set(objectKey(o.collection, o.id), keyOf(o.id, used));
  }
  const maps: Record<AdminCollection, Entry[]> = {
    distributionPolicies: [],
    exceptionPolicies: [],
    classificationPolicies: [],
    queues: [],
  };
  for (const p of plan) {
    const o = p.object;
    if (o.collection === "queues" && typeof o.spec["distributionPolicyId"] !== "string") {
      throw new ExportStyleError(
        `queue "${o.id}": has no distributionPolicyId, which a ContactCenter queue requires; export with --style resources`,
      );
    }
    const key = keys.get(objectKey(o.collection, o.id)) ?? o.id;
    const overrides = secretOverrides(secrets, o);
    // References are written under the component's own field names (`queue: "sales"`), not the REST ones.
    const renamed = new Map<string, { field: string; code: Code; comment?: string }>();
    const refs = [...p.linked.map((ref) => ({ ref, reason: undefined })), ...p.unlinked];
    for (const { ref, reason } of refs) {
      const cc = ccReference(ref);
      if (!cc) continue;
      const targetKey = keys.get(objectKey(ref.collection, ref.id));
      const code: Code =
        reason === undefined && targetKey !== undefined
          ? json(targetKey)
          : { t: "object", entries: [{ key: "id", value: json(ref.id) }] };
      renamed.set(pathKey(ref.path), {
        field: cc.field,
        code,
        comment: reason === undefined ? undefined : unlinkedComment(ref, reason),
      });
    }
    const entries: Entry[] = [];
    if (key !== o.id) entries.push({ key: "id", value: json(o.id) });
    for (const field of KINDS[o.collection].fields) {
      const value = o.spec[field];
      if (value === undefined) continue;
      const top = renamed.get(pathKey([field]));
      if (top) {
        entries.push({ key: top.field, value: top.code, comment: top.comment });
        continue;
      }
      if (field === "exceptionRules") {
        entries.push({ key: field, value: exceptionRulesCode(value, overrides, renamed) });
        continue;
      }
      entries.push(entryOf(field, value, overrides, [field]));
    }
    maps[o.collection].push({ key, value: { t: "object", entries } });
  }

  const cs: Code =
    options.entraIdEndpoint !== undefined
      ? { t: "object", entries: [{ key: "endpoint", value: json(options.entraIdEndpoint) }] }
      : {
          t: "object",
          entries: [{ key: "connectionString", value: raw('jobrouter.requireSecret("connectionString")') }],
        };
  const args: Entry[] = [
    {
      key: "communicationServices",
      value: { t: "object", entries: [{ key: "existing", value: cs }] },
      comment:
        options.entraIdEndpoint !== undefined
          ? "Entra ID (DefaultAzureCredential), as the export authenticated."
          : "The namespace's connection string: pulumi config set --secret jobrouter:connectionString",
    },
    { key: "adoptExisting", value: json(true) },
  ];
  for (const collection of ["distributionPolicies", "exceptionPolicies", "classificationPolicies", "queues"] as const) {
    if (maps[collection].length > 0) args.push({ key: collection, value: { t: "object", entries: maps[collection] } });
  }

  const out: string[] = [header(secrets), ""];
  out.push('import * as pulumi from "@pulumi/pulumi";');
  out.push('import { ContactCenter } from "pulumi-jobrouter";');
  out.push("");
  if (secrets.length > 0) out.push("const config = new pulumi.Config();");
  if (options.entraIdEndpoint === undefined) out.push('const jobrouter = new pulumi.Config("jobrouter");');
  out.push("");
  out.push(`new ContactCenter("contact-center", ${print({ t: "object", entries: args })});`);
  out.push("");
  return out.join("\n");
}

/** Exception rules with their actions' references under the component's names (`queue`, `classificationPolicy`). */
function exceptionRulesCode(
  rules: unknown,
  overrides: ReadonlyMap<string, Override>,
  renamed: ReadonlyMap<string, { field: string; code: Code; comment?: string }>,
): Code {
  if (!Array.isArray(rules)) return codeOf(rules, overrides, ["exceptionRules"]);
  return {
    t: "array",
    items: rules.map((rule, r) => {
      const rulePath = ["exceptionRules", r];
      if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return codeOf(rule, overrides, rulePath);
      const ruleObj = rule as Record<string, unknown>;
      const base = codeOf({ ...ruleObj, actions: [] }, overrides, rulePath);
      const actions = Array.isArray(ruleObj["actions"]) ? ruleObj["actions"] : [];
      const actionItems: Code[] = actions.map((action, a) => {
        const actionPath = [...rulePath, "actions", a];
        const code = codeOf(action, overrides, actionPath);
        if (code.t !== "object") return code;
        return {
          t: "object",
          entries: code.entries.map((e) => {
            const ren = renamed.get(pathKey([...actionPath, e.key]));
            return ren ? { key: ren.field, value: ren.code, comment: ren.comment } : e;
          }),
        };
      });
      if (base.t !== "object") return base;
      return {
        t: "object",
        entries: base.entries.map((e) =>
          e.key === "actions" ? { key: "actions", value: { t: "array", items: actionItems } } : e,
        ),
      };
    }),
  };
}

/** The program's source, before formatting. */
export function generateProgram(
  plan: readonly PlannedObject[],
  secrets: readonly SecretSlot[],
  options: ProgramOptions,
): string {
  return options.style === "contact-center"
    ? contactCenterProgram(plan, secrets, options)
    : resourcesProgram(plan, secrets, options);
}
