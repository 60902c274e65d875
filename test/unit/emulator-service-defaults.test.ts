// What the real service accepts and fills in, as seen in its recorded answers to the official Python SDK
// (azure-communication-jobrouter 1.0.0, api-version 2023-11-01): the shared validator accepts it (so a provider's
// `check` raises no false alarm at preview), the emulator answers with the same server-filled defaults, and the
// providers' canonical form treats every such default as equal to its absence (so it never shows as a diff).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { canonicalSpec } from "../../provider/canonical";
import { checkInputs } from "../../provider/check";
import { JobRouterClient } from "../../provider/client";
import type { AdminCollection } from "../../provider/client/models";
import {
  errorsOf,
  LEGACY_KINDS,
  validateAdminBody,
  validateJobBody,
  validateWorkerBody,
} from "../../provider/client/validation";
import { failure } from "./runtime-harness";

let emulator: RunningEmulator;
let client: JobRouterClient;
beforeEach(async () => {
  emulator = await startEmulator();
  client = JobRouterClient.fromConnectionString(emulator.connectionString, { retryOptions: { maxRetries: 0 } });
});
afterEach(async () => {
  await emulator.close();
});

type Body = Record<string, unknown>;

/** PATCH a body as any SDK would send it (no client-side types in the way) and return the answer. */
async function put(collection: AdminCollection, id: string, body: Body): Promise<Body> {
  const r = await client.upsert(collection, id, body as Parameters<JobRouterClient["upsert"]>[2]);
  return r.value as unknown as Body;
}

async function get(collection: AdminCollection, id: string): Promise<Body> {
  return (await client.get(collection, id)) as unknown as Body;
}

const ruleEngineStaticList = {
  name: "cp",
  workerSelectorAttachments: [
    {
      kind: "ruleEngine",
      rule: {
        kind: "static",
        value: [
          { key: "Skill", labelOperator: "greaterThan", value: 5 },
          { key: "Lang", labelOperator: "equal", value: "en" },
        ],
      },
    },
  ],
};

describe("fact 1: a ruleEngine attachment whose static rule holds a list of selectors is accepted", () => {
  it("the service answered 201 and echoed it: the validator, the provider's check and the emulator accept it", async () => {
    expect(errorsOf(validateAdminBody("classificationPolicies", ruleEngineStaticList))).toEqual([]);
    const checked = checkInputs(
      "classificationPolicies",
      { classificationPolicyId: "cp", ...ruleEngineStaticList },
      {
        config: (k) => (k === "jobrouter:connectionString" ? emulator.connectionString : undefined),
        env: () => undefined,
      },
    );
    expect(checked.failures).toEqual([]);
    const answer = await put("classificationPolicies", "cp", ruleEngineStaticList);
    expect(answer["workerSelectorAttachments"]).toEqual(ruleEngineStaticList.workerSelectorAttachments);
    expect(canonicalSpec("classificationPolicies", answer, "cp")).toEqual(
      canonicalSpec("classificationPolicies", ruleEngineStaticList, "cp"),
    );
  });

  it("what is still refused: an object as a static value, a list item that is not a selector", () => {
    const objectValue = { prioritizationRule: { kind: "static", value: { a: 1 } } };
    expect(errorsOf(validateAdminBody("classificationPolicies", objectValue)).map((v) => v.message)).toEqual([
      "prioritizationRule.value: must be a string, number or boolean (got an object)",
    ]);
    const badItem = {
      workerSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "static", value: [{ key: "Skill" }] } }],
    };
    expect(errorsOf(validateAdminBody("classificationPolicies", badItem)).map((v) => v.path)).toEqual([
      "workerSelectorAttachments[0].rule.value[0].labelOperator",
    ]);
  });

  it("the emulator refuses the same bodies with 400 naming the field", async () => {
    const e = await failure(
      put("classificationPolicies", "bad", {
        workerSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "static", value: [7] } }],
      }),
    );
    expect(e.statusCode).toBe(400);
    expect(e.message).toContain("workerSelectorAttachments[0].rule.value[0]");
  });
});

describe("fact 2: server-filled defaults are answered, and never a diff", () => {
  const cases: Array<{ what: string; collection: AdminCollection; body: Body; filled: (a: Body) => unknown }> = [
    {
      what: 'distribution modes carry "bypassSelectors": false',
      collection: "distributionPolicies",
      body: { name: "dp", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } },
      filled: (a) => (a["mode"] as Body)["bypassSelectors"],
    },
    {
      what: "a bestWorker mode without options carries the default scoringRuleOptions",
      collection: "distributionPolicies",
      body: {
        name: "dp",
        offerExpiresAfterSeconds: 60,
        mode: { kind: "bestWorker", scoringRule: { kind: "expression", expression: "1" } },
      },
      filled: (a) => (a["mode"] as Body)["scoringRuleOptions"],
    },
    {
      what: 'expression rules carry "language": "powerFx"',
      collection: "classificationPolicies",
      body: { name: "cp", prioritizationRule: { kind: "expression", expression: "1" } },
      filled: (a) => (a["prioritizationRule"] as Body)["language"],
    },
    {
      what: 'selectors inside classification-policy attachments carry "status": "active"',
      collection: "classificationPolicies",
      body: {
        name: "cp",
        workerSelectorAttachments: [
          { kind: "static", workerSelector: { key: "Lang", labelOperator: "equal", value: "en" } },
          {
            kind: "conditional",
            condition: { kind: "expression", expression: "true" },
            workerSelectors: [{ key: "VIP", labelOperator: "equal", value: true }],
          },
        ],
      },
      filled: (a) => {
        const [s, c] = a["workerSelectorAttachments"] as Body[];
        return [(s?.["workerSelector"] as Body)["status"], (c?.["workerSelectors"] as Body[])[0]?.["status"]];
      },
    },
    {
      what: "a manualReclassify action without worker selectors carries workerSelectors []",
      collection: "exceptionPolicies",
      body: {
        name: "ep",
        exceptionRules: [
          {
            id: "r",
            trigger: { kind: "queueLength", threshold: 5 },
            actions: [{ id: "a", kind: "manualReclassify", queueId: "q" }],
          },
        ],
      },
      filled: (a) => ((a["exceptionRules"] as Body[])[0]?.["actions"] as Body[])[0]?.["workerSelectors"],
    },
    {
      what: "a reclassify action without labels carries labelsToUpsert {}",
      collection: "exceptionPolicies",
      body: {
        name: "ep",
        exceptionRules: [
          {
            id: "r",
            trigger: { kind: "waitTime", thresholdSeconds: 5 },
            actions: [{ id: "a", kind: "reclassify", classificationPolicyId: "cp" }],
          },
        ],
      },
      filled: (a) => ((a["exceptionRules"] as Body[])[0]?.["actions"] as Body[])[0]?.["labelsToUpsert"],
    },
  ];
  const expected: Record<string, unknown> = {
    'distribution modes carry "bypassSelectors": false': false,
    "a bestWorker mode without options carries the default scoringRuleOptions": {
      scoringParameters: ["jobLabels", "workerSelectors"],
      isBatchScoringEnabled: false,
      descendingOrder: true,
    },
    'expression rules carry "language": "powerFx"': "powerFx",
    'selectors inside classification-policy attachments carry "status": "active"': ["active", "active"],
    "a manualReclassify action without worker selectors carries workerSelectors []": [],
    "a reclassify action without labels carries labelsToUpsert {}": {},
  };

  for (const c of cases) {
    it(c.what, async () => {
      const answer = await put(c.collection, "x", c.body);
      expect(c.filled(answer)).toEqual(expected[c.what]);
      // A GET answers the same, and the provider sees no difference from what the program said.
      const again = await get(c.collection, "x");
      expect(c.filled(again)).toEqual(expected[c.what]);
      expect(canonicalSpec(c.collection, again, "x")).toEqual(canonicalSpec(c.collection, c.body, "x"));
      // The answer fed back (a refresh's inputs) is still valid input.
      expect(errorsOf(validateAdminBody(c.collection, again, { unknownProperties: "report" }))).toEqual([]);
    });
  }
});

describe("fact 8 (validator): every old kebab-case kind the service accepted is accepted; others are refused", () => {
  const seen = [
    "azure-function-rule",
    "best-worker",
    "expression-rule",
    "longest-idle",
    "manual-reclassify",
    "pass-through",
    "queue-and-match",
    "queue-length",
    "round-robin",
    "rule-engine",
    "schedule-and-suspend",
    "static-rule",
    "wait-time",
    "weighted-allocation-queue-selector",
    "weighted-allocation-worker-selector",
  ];

  it("each spelling from the service's recorded answers is known", () => {
    for (const k of seen) expect(LEGACY_KINDS[k], k).toBeDefined();
  });

  it("bodies using them validate without errors, and the emulator echoes the spelling as sent", async () => {
    const bodies: Array<[AdminCollection, string, Body]> = [
      ["distributionPolicies", "dp1", { offerExpiresAfterSeconds: 60, mode: { kind: "longest-idle" } }],
      ["distributionPolicies", "dp2", { offerExpiresAfterSeconds: 60, mode: { kind: "round-robin" } }],
      [
        "distributionPolicies",
        "dp3",
        {
          offerExpiresAfterSeconds: 60,
          mode: {
            kind: "best-worker",
            scoringRule: { kind: "azure-function-rule", functionUri: "https://example.invalid/api/score" },
          },
        },
      ],
      [
        "classificationPolicies",
        "cp1",
        {
          queueSelectorAttachments: [
            { kind: "pass-through", key: "Lang", labelOperator: "equal" },
            {
              kind: "weighted-allocation-queue-selector",
              allocations: [{ weight: 1, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q" }] }],
            },
          ],
          workerSelectorAttachments: [
            { kind: "rule-engine", rule: { kind: "expression-rule", expression: "1" } },
            {
              kind: "weighted-allocation-worker-selector",
              allocations: [{ weight: 1, workerSelectors: [{ key: "a", labelOperator: "equal", value: 1 }] }],
            },
          ],
          prioritizationRule: { kind: "static-rule", value: 3 },
        },
      ],
      [
        "exceptionPolicies",
        "ep1",
        {
          exceptionRules: [
            {
              id: "r1",
              trigger: { kind: "queue-length", threshold: 3 },
              actions: [{ id: "a", kind: "manual-reclassify", priority: 2 }],
            },
            { id: "r2", trigger: { kind: "wait-time", thresholdSeconds: 3 }, actions: [{ id: "b", kind: "cancel" }] },
          ],
        },
      ],
    ];
    for (const [collection, id, body] of bodies) {
      expect(errorsOf(validateAdminBody(collection, body)), `${collection}/${id}`).toEqual([]);
      const answer = await put(collection, id, body);
      expect(JSON.stringify(answer)).not.toMatch(/"kind":"(longestIdle|roundRobin|bestWorker|static|passThrough)"/);
      expect(canonicalSpec(collection, answer, id)).toEqual(canonicalSpec(collection, body, id));
    }
  });

  it("a kebab-case spelling the service never had is refused", () => {
    const v = errorsOf(validateAdminBody("distributionPolicies", { mode: { kind: "longest-busy" } }));
    expect(v.map((x) => x.rule)).toEqual(["enum"]);
  });
});

describe("every body the real service accepted in the recordings passes the shared validator", () => {
  const RECORDINGS = join(__dirname, "..", "..", "..", "shared", "jobrouter-recordings");

  it.skipIf(!existsSync(RECORDINGS))("no recorded 2xx PATCH body is refused (admin, jobs, workers)", () => {
    let checked = 0;
    const refused: string[] = [];
    for (const suite of readdirSync(RECORDINGS)) {
      for (const file of readdirSync(join(RECORDINGS, suite))) {
        const data = JSON.parse(readFileSync(join(RECORDINGS, suite, file), "utf8")) as {
          Entries: Array<{ RequestMethod: string; RequestUri: string; RequestBody: unknown; StatusCode: number }>;
        };
        for (const e of data.Entries) {
          if (e.RequestMethod !== "PATCH" || e.StatusCode >= 300) continue;
          const collection = new URL(e.RequestUri).pathname.split("/")[2] ?? "";
          const violations =
            collection === "jobs"
              ? validateJobBody(e.RequestBody)
              : collection === "workers"
                ? validateWorkerBody(e.RequestBody)
                : validateAdminBody(collection as AdminCollection, e.RequestBody);
          for (const v of errorsOf(violations)) refused.push(`${suite}/${file} ${e.RequestUri}: ${v.message}`);
          checked++;
        }
      }
    }
    expect(refused).toEqual([]);
    expect(checked).toBeGreaterThan(90); // every suite's PATCHes were seen, not an empty directory
  });
});
