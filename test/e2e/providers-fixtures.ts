// Shared by the providers' end-to-end tests: the rich stack (every distribution mode, every rule kind,
// every selector attachment kind for queues and workers, both exception triggers and all three
// actions), helpers to turn it into the program's config, and small readers of the engine's output.

import * as path from "node:path";
import type { Harness, PreviewJson, PreviewStep } from "./harness";

export const PROGRAM_DIR = path.join(__dirname, "providers-program");

export type ResourceType = "DistributionPolicy" | "RouterQueue" | "ClassificationPolicy" | "ExceptionPolicy";
export interface ResourceSpec {
  type: ResourceType;
  name: string;
  args: Record<string, unknown>;
}

export const TYPE_TOKEN = (t: ResourceType): string => `pulumi-nodejs:dynamic/jobrouter:${t}`;

/** Plaintext secrets the rich stack uses; none may appear in the state file. */
export const WEBHOOK_SECRET = "webhook-client-secret-7f3a9c1e55";
export const SCORING_SECRET = "scoring-client-secret-b81d4e0a22";
export const FUNCTION_KEY = "function-key-0c4f8a7d93e1";
export const APP_KEY = "function-app-key-5e2b7c9d10aa";

export function richStack(): ResourceSpec[] {
  return [
    {
      type: "DistributionPolicy",
      name: "dp-best",
      args: {
        name: "Best worker",
        offerExpiresAfterSeconds: 60,
        mode: {
          kind: "bestWorker",
          minConcurrentOffers: 1,
          maxConcurrentOffers: 3,
          bypassSelectors: true,
          // Given in plain text on purpose: the resource must encrypt it anyway.
          scoringRule: {
            kind: "webhook",
            authorizationServerUri: "https://login.example.com/oauth2/token",
            webhookUri: "https://scoring.example.com/score",
            clientCredential: { clientId: "scoring-client", clientSecret: { $plainConfig: "scoringSecret" } },
          },
          scoringRuleOptions: {
            batchSize: 10,
            scoringParameters: ["jobLabels"],
            isBatchScoringEnabled: true,
            descendingOrder: false,
          },
        },
      },
    },
    {
      type: "DistributionPolicy",
      name: "dp-best-fn",
      args: {
        name: "Best worker by function",
        offerExpiresAfterSeconds: 45,
        mode: {
          kind: "bestWorker",
          scoringRule: {
            kind: "function",
            functionUri: "https://fn.example.com/api/score",
            credential: { appKey: { $secretConfig: "appKey" }, clientId: "fn-client" },
          },
        },
      },
    },
    {
      type: "DistributionPolicy",
      name: "dp-idle",
      args: {
        name: "Longest idle",
        offerExpiresAfterSeconds: 30,
        mode: { kind: "longestIdle", minConcurrentOffers: 2, maxConcurrentOffers: 4 },
      },
    },
    {
      type: "DistributionPolicy",
      name: "dp-rr",
      args: { name: "Round robin", offerExpiresAfterSeconds: 20, mode: { kind: "roundRobin" } },
    },
    {
      type: "ExceptionPolicy",
      name: "ep-main",
      args: {
        name: "Escalations",
        exceptionRules: [
          {
            id: "long-queue",
            trigger: { kind: "queueLength", threshold: 10 },
            actions: [
              {
                kind: "reclassify",
                classificationPolicyId: "cp-main",
                labelsToUpsert: { escalated: true, reason: "queue" },
              },
              { kind: "cancel", note: "Queue too long", dispositionCode: "QueueFull" },
            ],
          },
          {
            id: "slow",
            trigger: { kind: "waitTime", thresholdSeconds: 300 },
            actions: [
              {
                kind: "manualReclassify",
                queueId: "q-vip",
                priority: 10,
                workerSelectors: [
                  { key: "skill", labelOperator: "equal", value: "senior" },
                  { key: "level", labelOperator: "greaterThanOrEqual", value: 3, expiresAfterSeconds: 60 },
                ],
              },
            ],
          },
        ],
      },
    },
    {
      type: "RouterQueue",
      name: "q-support",
      args: {
        name: "Support",
        distributionPolicyId: { $ref: "dp-best" },
        exceptionPolicyId: { $ref: "ep-main" },
        labels: { lang: "en", tier: "gold", vip: false, capacity: 2 },
      },
    },
    {
      type: "RouterQueue",
      name: "q-vip",
      args: { name: "VIP", distributionPolicyId: { $ref: "dp-idle" }, labels: { tier: "platinum" } },
    },
    { type: "RouterQueue", name: "q-fallback", args: { name: "Fallback", distributionPolicyId: { $ref: "dp-rr" } } },
    {
      type: "RouterQueue",
      name: "q-fn",
      args: { name: "Scored by function", distributionPolicyId: { $ref: "dp-best-fn" } },
    },
    {
      type: "ClassificationPolicy",
      name: "cp-main",
      args: {
        name: "Main intake",
        fallbackQueueId: { $ref: "q-fallback" },
        prioritizationRule: { kind: "expression", language: "powerFx", expression: "If(job.vip = true, 10, 1)" },
        queueSelectorAttachments: [
          {
            kind: "conditional",
            condition: { kind: "static", value: true },
            queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-support" }],
          },
          { kind: "passThrough", key: "lang", labelOperator: "equal" },
          { kind: "ruleEngine", rule: { kind: "directMap" } },
          { kind: "static", queueSelector: { key: "tier", labelOperator: "equal", value: "gold" } },
          {
            kind: "weightedAllocation",
            allocations: [
              { weight: 0.3, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-vip" }] },
              { weight: 0.7, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-support" }] },
            ],
          },
        ],
        workerSelectorAttachments: [
          {
            kind: "conditional",
            condition: { kind: "expression", expression: "job.vip = true" },
            workerSelectors: [
              { key: "skill", labelOperator: "equal", value: "senior", expedite: true },
              { key: "english", labelOperator: "equal", value: true },
            ],
          },
          { kind: "passThrough", key: "lang", labelOperator: "equal", expiresAfterSeconds: 120 },
          {
            kind: "ruleEngine",
            rule: {
              kind: "function",
              functionUri: "https://fn.example.com/api/select",
              credential: { functionKey: { $secretConfig: "functionKey" }, clientId: "fn-select" },
            },
          },
          { kind: "static", workerSelector: { key: "region", labelOperator: "notEqual", value: "eu" } },
          {
            kind: "weightedAllocation",
            allocations: [
              { weight: 0.5, workerSelectors: [{ key: "shift", labelOperator: "equal", value: "day" }] },
              { weight: 0.5, workerSelectors: [{ key: "shift", labelOperator: "equal", value: "night" }] },
            ],
          },
        ],
      },
    },
    {
      type: "ClassificationPolicy",
      name: "cp-webhook",
      args: {
        name: "Webhook prioritization",
        prioritizationRule: {
          kind: "webhook",
          authorizationServerUri: "https://login.example.com/oauth2/token",
          webhookUri: "https://priority.example.com/score",
          clientCredential: { clientId: "priority-client", clientSecret: { $secretConfig: "webhookSecret" } },
        },
        queueSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "static", value: "q-support" } }],
      },
    },
  ];
}

/**
 * The program's config: the resources (plain), and the credentials they refer to as secret config, as a real
 * stack would keep them (the engine copies the whole stack config into the default provider's state).
 */
export function configFor(specs: ResourceSpec[]): Record<string, { value: string; secret?: boolean }> {
  return {
    "e2e:resources": { value: JSON.stringify(specs) },
    "e2e:scoringSecret": { value: SCORING_SECRET, secret: true },
    "e2e:appKey": { value: APP_KEY, secret: true },
    "e2e:functionKey": { value: FUNCTION_KEY, secret: true },
    "e2e:webhookSecret": { value: WEBHOOK_SECRET, secret: true },
  };
}

/** A deep copy of `specs` with `edit` applied to the resource named `name`. */
export function edit(
  specs: ResourceSpec[],
  name: string,
  change: (args: Record<string, unknown>) => void,
): ResourceSpec[] {
  const copy = structuredClone(specs);
  const spec = copy.find((s) => s.name === name);
  if (!spec) throw new Error(`no resource ${name} in the spec`);
  change(spec.args);
  return copy;
}

/** The steps of a preview that are not `same`, by resource name. */
export function changedSteps(preview: PreviewJson): Record<string, PreviewStep> {
  const out: Record<string, PreviewStep> = {};
  for (const s of preview.steps) {
    if (s.op === "same" || s.type === "pulumi:pulumi:Stack") continue;
    const name = s.urn.split("::").pop() ?? s.urn;
    out[name] = s;
  }
  return out;
}

export const COLLECTIONS = ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"] as const;

/** Every object in the emulator, as `collection/id`. */
export async function listAll(h: Harness): Promise<string[]> {
  const out: string[] = [];
  for (const c of COLLECTIONS) {
    const res = await h.request("GET", `/routing/${c}`);
    const body = res.body as { value?: Array<{ id: string }> };
    for (const item of body.value ?? []) out.push(`${c}/${item.id}`);
  }
  return out.sort();
}
