// Test fixtures: a compliant Job Router stack and harnesses that call policies the way the
// policy SDK does (same argument shapes, props behind the SDK's own proxies), without gRPC.

import {
  Secret,
  unknownCheckingProxy,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { secretsPreservingProxy } from "@pulumi/policy/secret";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TYPES } from "../policies";

export const STACK = "dev";
export const PROJECT = "contact-center";

export function urnOf(type: string, name: string, parentType?: string): string {
  const qualified = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${name}`;
}

/** A resource as a test describes it; `secretPaths` are dotted paths whose values the program passed as secrets. */
export interface TestResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  parent?: string;
  /** Input name -> names of the resources it was computed from. */
  propertyDependencies?: Record<string, string[]>;
  secretPaths?: string[];
}

/** The text the serializer puts in `__provider`; policies must ignore it. */
const PROVIDER_TEXT = "exports.handler = __f0; function __f0() { return require('pulumi-jobrouter/dist/provider'); }";

export const CLIENT_SECRET = "webhook-client-secret-value";
export const FUNCTION_KEY = "function-key-value";

/** A stack that passes every policy with its default config. */
export function compliantStack(): TestResource[] {
  return [
    {
      type: TYPES.distributionPolicy,
      name: "dp-standard",
      props: {
        distributionPolicyId: "dp-standard",
        name: "Standard",
        offerExpiresAfterSeconds: 60,
        mode: {
          kind: "bestWorker",
          minConcurrentOffers: 1,
          maxConcurrentOffers: 3,
          bypassSelectors: false,
          scoringRule: {
            kind: "webhook",
            webhookUri: "https://scoring.example.com/score",
            authorizationServerUri: "https://login.example.com/oauth2/token",
            clientCredential: { clientId: "scoring-app", clientSecret: CLIENT_SECRET },
          },
        },
        __provider: PROVIDER_TEXT,
      },
      secretPaths: ["mode.scoringRule.clientCredential.clientSecret"],
    },
    {
      type: TYPES.exceptionPolicy,
      name: "ep-escalate",
      props: {
        exceptionPolicyId: "ep-escalate",
        name: "Escalate",
        exceptionRules: [
          {
            id: "waited-too-long",
            trigger: { kind: "waitTime", thresholdSeconds: 300 },
            actions: [{ kind: "manualReclassify", id: "to-overflow", queueId: "q-overflow", priority: 10 }],
          },
          {
            id: "queue-full",
            trigger: { kind: "queueLength", threshold: 50 },
            actions: [
              {
                kind: "reclassify",
                id: "reclassify",
                classificationPolicyId: "cp-inbound",
                labelsToUpsert: { overflow: true },
              },
            ],
          },
        ],
        __provider: PROVIDER_TEXT,
      },
    },
    {
      type: TYPES.exceptionPolicy,
      name: "ep-overflow",
      props: {
        exceptionPolicyId: "ep-overflow",
        exceptionRules: [
          {
            id: "give-up",
            trigger: { kind: "waitTime", thresholdSeconds: 900 },
            actions: [{ kind: "cancel", id: "cancel", note: "no agent available", dispositionCode: "Timeout" }],
          },
        ],
        __provider: PROVIDER_TEXT,
      },
    },
    {
      type: TYPES.queue,
      name: "q-sales",
      props: {
        queueId: "q-sales",
        name: "Sales",
        distributionPolicyId: "dp-standard",
        exceptionPolicyId: "ep-escalate",
        labels: { language: "en" },
        __provider: PROVIDER_TEXT,
      },
      propertyDependencies: { distributionPolicyId: ["dp-standard"], exceptionPolicyId: ["ep-escalate"] },
    },
    {
      type: TYPES.queue,
      // Own id omitted: the provider defaults it to the resource name.
      name: "q-overflow",
      props: { distributionPolicyId: "dp-standard", exceptionPolicyId: "ep-overflow", __provider: PROVIDER_TEXT },
    },
    {
      type: TYPES.classificationPolicy,
      name: "cp-inbound",
      props: {
        classificationPolicyId: "cp-inbound",
        name: "Inbound",
        fallbackQueueId: "q-overflow",
        prioritizationRule: {
          kind: "function",
          functionUri: "https://prio.example.com/api/priority",
          credential: { functionKey: FUNCTION_KEY },
        },
        queueSelectorAttachments: [
          { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "q-sales" } },
          {
            kind: "conditional",
            condition: { kind: "expression", language: "powerFx", expression: "job.vip = true" },
            queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-overflow" }],
          },
          { kind: "passThrough", key: "language", labelOperator: "equal" },
        ],
        workerSelectorAttachments: [
          { kind: "static", workerSelector: { key: "skill", labelOperator: "greaterThan", value: 5 } },
        ],
        __provider: PROVIDER_TEXT,
      },
      secretPaths: ["prioritizationRule.credential.functionKey"],
    },
    {
      type: TYPES.contactCenter,
      name: "cc",
      props: {
        communication: { existing: { name: "acs", resourceGroupName: "rg" } },
        events: {
          destination: { kind: "webhook", endpointUrl: "https://events.example.com/jobrouter" },
          deadLetter: {
            storageAccountId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa",
            containerName: "dead",
          },
        },
      },
    },
    {
      type: "azure-native:eventgrid:SystemTopic",
      name: "cc-events",
      parent: "cc",
      props: {
        source: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
      },
    },
    {
      type: "azure-native:eventgrid:SystemTopicEventSubscription",
      name: "cc-jobrouter",
      parent: "cc-events",
      props: {
        destination: { endpointType: "WebHook", endpointUrl: "https://events.example.com/jobrouter" },
        deadLetterDestination: {
          endpointType: "StorageBlob",
          blobContainerName: "dead",
          resourceId: "/subscriptions/s/sa",
        },
      },
    },
  ];
}

/** Deep copy of the fixture stack, or one resource of it by name. */
export function fixture(name: string): TestResource {
  const r = compliantStack().find((x) => x.name === name);
  if (!r) throw new Error(`no fixture ${name}`);
  return r;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

function step(obj: Container, key: string): unknown {
  return Array.isArray(obj) ? obj[Number(key)] : obj[key];
}

/** Sets (or with `undefined`, deletes) a value at a dotted path such as `mode.scoringRule.webhookUri` or `rules.0.id`. */
export function setPath(props: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: unknown = props;
  for (const p of parts.slice(0, -1)) {
    if (!isContainer(cur)) throw new Error(`no container at ${p} of ${path}`);
    cur = step(cur, p);
  }
  const last = parts[parts.length - 1] ?? "";
  if (!isContainer(cur)) throw new Error(`no container for ${path}`);
  if (Array.isArray(cur)) {
    if (value === undefined) cur.splice(Number(last), 1);
    else cur[Number(last)] = value;
  } else if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** A fixture with one field changed. */
export function withChange(name: string, path: string, value: unknown): TestResource {
  const r = fixture(name);
  setPath(r.props, path, value);
  return r;
}

function parentTypeOf(r: TestResource, all: TestResource[]): string | undefined {
  const parent = all.find((x) => x.name === r.parent);
  return parent?.type;
}

/** The argument bag the SDK's Analyze and Remediate handlers build, for a resource with the given props. */
export function makeResourceArgs(
  r: { type: string; name: string; urn: string },
  props: unknown,
  config: Record<string, unknown> = {},
): ResourceValidationArgs {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    // The SDK hands policies this proxy; using it here makes the tests fail the same way on unknowns.
    props: unknownCheckingProxy(props),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => structuredClone(config) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason ?? ""}`);
    },
  };
}

function resourceArgs(r: TestResource, props: unknown, config: Record<string, unknown>): ResourceValidationArgs {
  return makeResourceArgs({ type: r.type, name: r.name, urn: urnOf(r.type, r.name) }, props, config);
}

/** Runs a resource policy's validations on prepared arguments, as the SDK's Analyze handler does; returns the messages. */
export async function runValidations(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<string[]> {
  const messages: string[] = [];
  const v = policy.validateResource;
  for (const validate of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
    await validate(args, (m) => messages.push(m));
  }
  return messages;
}

/** Runs a resource policy's validations on a test resource; returns the messages. */
export async function validateResource(
  policy: ResourceValidationPolicy,
  r: TestResource,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  return runValidations(policy, resourceArgs(r, structuredClone(r.props), config));
}

/**
 * The view the SDK's Remediate handler builds: secret values as `Secret` instances behind the
 * secret-preserving proxy, itself behind the unknown-checking proxy.
 */
export function remediationView(r: TestResource): unknown {
  const raw = structuredClone(r.props);
  for (const path of r.secretPaths ?? []) {
    const parts = path.split(".");
    let cur: unknown = raw;
    for (const p of parts.slice(0, -1)) cur = isContainer(cur) ? step(cur, p) : undefined;
    const last = parts[parts.length - 1] ?? "";
    if (isContainer(cur) && !Array.isArray(cur) && last in cur) cur[last] = new Secret(cur[last]);
  }
  return secretsPreservingProxy(raw);
}

/** Runs the remediation pass (as the engine does before validating a resource). */
export async function remediate(
  policy: ResourceValidationPolicy,
  r: TestResource,
  config: Record<string, unknown> = {},
): Promise<unknown> {
  if (!policy.remediateResource) return undefined;
  return policy.remediateResource(resourceArgs(r, remediationView(r), config));
}

/** Builds the `StackValidationArgs.resources` list with parents and property dependencies resolved. */
export function stackResources(stack: TestResource[]): PolicyResource[] {
  const byName = new Map<string, PolicyResource>();
  const opts = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  for (const r of stack) {
    byName.set(r.name, {
      type: r.type,
      name: r.name,
      urn: urnOf(r.type, r.name, parentTypeOf(r, stack)),
      props: unknownCheckingProxy(structuredClone(r.props)),
      opts,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of stack) {
    const pr = byName.get(r.name);
    if (!pr) continue;
    if (r.parent) pr.parent = byName.get(r.parent);
    for (const [k, names] of Object.entries(r.propertyDependencies ?? {})) {
      const deps = names.map((n) => byName.get(n)).filter((d): d is PolicyResource => d !== undefined);
      pr.propertyDependencies[k] = deps;
      pr.dependencies.push(...deps);
    }
  }
  return [...byName.values()];
}

export interface StackViolation {
  message: string;
  urn?: string;
}

/** Runs a stack policy over prepared resources, the way the SDK's AnalyzeStack handler does. */
export async function validateStackResources(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<StackViolation[]> {
  const out: StackViolation[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => structuredClone(config) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`notApplicable: ${reason ?? ""}`);
    },
  };
  await policy.validateStack(args, (message, urn) => out.push(urn === undefined ? { message } : { message, urn }));
  return out;
}

/** Runs a stack policy over the test resources. */
export async function validateStack(
  policy: StackValidationPolicy,
  stack: TestResource[],
  config: Record<string, unknown> = {},
): Promise<StackViolation[]> {
  return validateStackResources(policy, stackResources(stack), config);
}

export interface RestConfig {
  distributionPolicies: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  classificationPolicies: Array<Record<string, unknown>>;
  exceptionPolicies: Array<Record<string, unknown>>;
}

/** The folder of the simulator's worked example (examples/simulation): its scenarios and its traffic file. */
export const SIMULATION_EXAMPLE = join(__dirname, "..", "..", "examples", "simulation");

/** A configuration of a scenario file (default: the example's "before") as our four resource types, with id inputs. */
export function exampleStack(file = "scenario.json", which: "before" | "after" = "before"): TestResource[] {
  const scenario = JSON.parse(readFileSync(join(SIMULATION_EXAMPLE, file), "utf8")) as Record<string, RestConfig>;
  const cfg = scenario[which] as RestConfig;
  const out: TestResource[] = [];
  const add = (type: string, idKey: string, list: Array<Record<string, unknown>>): void => {
    for (const o of list) {
      const { id, ...rest } = o;
      out.push({ type, name: String(id), props: { [idKey]: id, ...rest } });
    }
  };
  add(TYPES.distributionPolicy, "distributionPolicyId", cfg.distributionPolicies);
  add(TYPES.exceptionPolicy, "exceptionPolicyId", cfg.exceptionPolicies);
  add(TYPES.queue, "queueId", cfg.queues);
  add(TYPES.classificationPolicy, "classificationPolicyId", cfg.classificationPolicies);
  return out;
}
