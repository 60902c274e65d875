// ContactCenter's construction-time planning, without Pulumi: references, ids, cycles and creation order.

import { describe, expect, it } from "vitest";
import {
  ContactCenterArgs,
  ContactCenterValidationError,
  endpointOfConnectionString,
  JOB_ROUTER_EVENT_TYPES,
  normaliseEventType,
  orderNodes,
  planRouting,
  resourceGroupOf,
} from "../../components";

const cs = {
  existing: {
    connectionString: "endpoint=https://x.communication.azure.com/;accesskey=eA==",
  },
};

function plan(args: Omit<ContactCenterArgs, "communicationServices">) {
  return planRouting("cc", { communicationServices: cs, ...args });
}
function errorOf(f: () => unknown): ContactCenterValidationError {
  try {
    f();
  } catch (e) {
    if (e instanceof ContactCenterValidationError) return e;
    throw e;
  }
  throw new Error("expected a ContactCenterValidationError");
}

describe("references", () => {
  it("resolves string keys, { key } and { id } and orders every object after what it references", () => {
    const p = plan({
      classificationPolicies: { triage: { fallbackQueue: "general" } },
      queues: {
        general: {
          distributionPolicy: "li",
          exceptionPolicy: { key: "escalate" },
        },
        vip: { distributionPolicy: { id: "managed-elsewhere" } },
      },
      exceptionPolicies: {
        escalate: {
          exceptionRules: [
            {
              id: "slow",
              trigger: { kind: "waitTime", thresholdSeconds: 120 },
              actions: [{ kind: "manualReclassify", queue: "vip" }],
            },
          ],
        },
      },
      distributionPolicies: { li: { mode: { kind: "longestIdle" } } },
    });
    expect(p.edges.map((e) => `${e.from} -> ${e.to} (${e.path})`).sort()).toEqual([
      "classificationPolicies.triage -> queues.general (classificationPolicies.triage.fallbackQueue)",
      "exceptionPolicies.escalate -> queues.vip (exceptionPolicies.escalate.exceptionRules[0].actions[0].queue)",
      "queues.general -> distributionPolicies.li (queues.general.distributionPolicy)",
      "queues.general -> exceptionPolicies.escalate (queues.general.exceptionPolicy)",
    ]);
    const at = (n: string) => p.order.indexOf(n as (typeof p.order)[number]);
    expect(p.order).toHaveLength(5);
    for (const e of p.edges) expect(at(e.to), `${e.to} before ${e.from}`).toBeLessThan(at(e.from));
    expect(p.objects.get("queues.vip")?.refs.get("distributionPolicy")).toEqual({
      kind: "external",
      id: "managed-elsewhere",
    });
  });

  it.each([
    [
      "queue -> distribution policy",
      { queues: { sales: { distributionPolicy: "nope" } } },
      "queues.sales.distributionPolicy",
      'unknown distribution policy key "nope" (declared distributionPolicies keys: none)',
    ],
    [
      "queue -> exception policy",
      {
        distributionPolicies: { li: {} },
        queues: { sales: { distributionPolicy: "li", exceptionPolicy: "esc" } },
      },
      "queues.sales.exceptionPolicy",
      'unknown exception policy key "esc"',
    ],
    [
      "classification policy -> fallback queue",
      { classificationPolicies: { triage: { fallbackQueue: "general" } } },
      "classificationPolicies.triage.fallbackQueue",
      'unknown queue key "general"',
    ],
    [
      "reclassify -> classification policy",
      {
        exceptionPolicies: {
          esc: {
            exceptionRules: [
              {
                id: "r",
                trigger: { kind: "queueLength" as const, threshold: 10 },
                actions: [
                  {
                    kind: "reclassify" as const,
                    classificationPolicy: "triag",
                  },
                ],
              },
            ],
          },
        },
        classificationPolicies: { triage: {} },
      },
      "exceptionPolicies.esc.exceptionRules[0].actions[0].classificationPolicy",
      'unknown classification policy key "triag" (declared classificationPolicies keys: "triage")',
    ],
  ])("rejects an unknown key: %s", (_label, args, path, rule) => {
    const e = errorOf(() => plan(args));
    expect(e.path).toBe(path);
    expect(e.message).toContain(`ContactCenter "cc": ${path}: ${rule}`);
  });

  it("rejects a duplicate Job Router id within a collection, naming both objects", () => {
    const e = errorOf(() =>
      plan({
        distributionPolicies: { a: { id: "shared" }, b: { id: "shared" } },
      }),
    );
    expect(e.message).toBe(
      'ContactCenter "cc": distributionPolicies.b.id: duplicate Job Router id "shared": distributionPolicies.a already uses it (ids must be unique within distributionPolicies)',
    );
    // A defaulted id (the key) collides with an explicit one too.
    expect(
      errorOf(() =>
        plan({
          distributionPolicies: { li: {} },
          queues: {
            a: { distributionPolicy: "li" },
            b: { id: "a", distributionPolicy: "li" },
          },
        }),
      ).path,
    ).toBe("queues.b.id");
    // The same id in two collections is fine: they are different URL paths.
    expect(() =>
      plan({
        distributionPolicies: { sales: {} },
        queues: { sales: { distributionPolicy: "sales" } },
      }),
    ).not.toThrow();
  });

  it("rejects a reference cycle, naming every object and field on it", () => {
    const e = errorOf(() =>
      plan({
        distributionPolicies: { li: {} },
        queues: { sales: { distributionPolicy: "li", exceptionPolicy: "esc" } },
        classificationPolicies: { triage: { fallbackQueue: "sales" } },
        exceptionPolicies: {
          esc: {
            exceptionRules: [
              {
                id: "r",
                trigger: { kind: "waitTime", thresholdSeconds: 60 },
                actions: [{ kind: "reclassify", classificationPolicy: "triage" }],
              },
            ],
          },
        },
      }),
    );
    expect(e.message).toMatch(/reference cycle: /);
    expect(e.message).toContain(
      "exceptionPolicies.esc.exceptionRules[0].actions[0].classificationPolicy -> classificationPolicies.triage",
    );
    expect(e.message).toContain("classificationPolicies.triage.fallbackQueue -> queues.sales");
    expect(e.message).toContain("queues.sales.exceptionPolicy -> exceptionPolicies.esc");
    expect(e.message).toContain('{ id: "<Job Router id>" }');
  });

  it("accepts the same loop once one side is referred to by { id }", () => {
    const p = plan({
      distributionPolicies: { li: {} },
      queues: { sales: { distributionPolicy: "li", exceptionPolicy: "esc" } },
      classificationPolicies: { triage: { fallbackQueue: "sales" } },
      exceptionPolicies: {
        esc: {
          exceptionRules: [
            {
              id: "r",
              trigger: { kind: "waitTime", thresholdSeconds: 60 },
              actions: [{ kind: "reclassify", classificationPolicy: { id: "triage" } }],
            },
          ],
        },
      },
    });
    expect(p.order.indexOf("exceptionPolicies.esc")).toBeLessThan(p.order.indexOf("queues.sales"));
    expect(p.order.indexOf("queues.sales")).toBeLessThan(p.order.indexOf("classificationPolicies.triage"));
  });

  it("rejects malformed references, keys, ids and rules", () => {
    expect(
      errorOf(() =>
        plan({
          distributionPolicies: { li: {} },
          queues: { q: { distributionPolicy: { key: "li", id: "x" } } },
        }),
      ).message,
    ).toContain("queues.q.distributionPolicy: a reference is a key string");
    expect(errorOf(() => plan({ distributionPolicies: { "bad key": {} } })).path).toBe("distributionPolicies.bad key");
    expect(errorOf(() => plan({ distributionPolicies: { li: { id: "a/b" } } })).path).toBe(
      "distributionPolicies.li.id",
    );
    expect(errorOf(() => plan({ queues: { q: {} as never } })).message).toContain(
      "queues.q.distributionPolicy: is required",
    );
    const rule = {
      id: "r",
      trigger: { kind: "queueLength" as const, threshold: 5 },
      actions: [{ kind: "cancel" as const }],
    };
    expect(errorOf(() => plan({ exceptionPolicies: { e: { exceptionRules: [rule, rule] } } })).path).toBe(
      "exceptionPolicies.e.exceptionRules[1].id",
    );
    expect(
      errorOf(() =>
        plan({
          exceptionPolicies: {
            e: { exceptionRules: [{ ...rule, actions: [] }] },
          },
        }),
      ).path,
    ).toBe("exceptionPolicies.e.exceptionRules[0].actions");
  });

  it("reports the cycle of a hand-built graph with its paths", () => {
    const e = errorOf(() =>
      orderNodes(
        "g",
        ["queues.a", "queues.b"],
        [
          { from: "queues.a", to: "queues.b", path: "queues.a.x" },
          { from: "queues.b", to: "queues.a", path: "queues.b.y" },
        ],
      ),
    );
    expect(e.message).toContain("reference cycle: queues.a.x -> queues.b, queues.b.y -> queues.a");
  });
});

describe("events and connection helpers", () => {
  it("lists the 22 Job Router event types, all prefixed Microsoft.Communication.Router", () => {
    expect(JOB_ROUTER_EVENT_TYPES).toHaveLength(22);
    expect(new Set(JOB_ROUTER_EVENT_TYPES).size).toBe(22);
    for (const t of JOB_ROUTER_EVENT_TYPES)
      expect(t).toMatch(/^Microsoft\.Communication\.Router(Job|Worker)[A-Za-z]+$/);
    expect(normaliseEventType("RouterJobExceptionTriggered")).toBe(
      "Microsoft.Communication.RouterJobExceptionTriggered",
    );
    expect(normaliseEventType("Microsoft.Communication.RouterWorkerDeregistered")).toBe(
      "Microsoft.Communication.RouterWorkerDeregistered",
    );
    expect(normaliseEventType("Microsoft.Communication.CallStarted")).toBeUndefined();
  });

  it("reads the endpoint of a connection string and never echoes one it cannot read", () => {
    expect(endpointOfConnectionString("cc", "endpoint=https://a.communication.azure.com/;accesskey=eA==")).toBe(
      "https://a.communication.azure.com",
    );
    expect(endpointOfConnectionString("cc", "AccessKey=eA==;Endpoint=http://127.0.0.1:4040")).toBe(
      "http://127.0.0.1:4040",
    );
    const e = errorOf(() => endpointOfConnectionString("cc", "accesskey=TOPSECRET"));
    expect(e.message).not.toContain("TOPSECRET");
    expect(e.path).toBe("communicationServices.existing.connectionString");
  });

  it("takes the resource group out of an ARM id", () => {
    expect(
      resourceGroupOf(
        "cc",
        "/subscriptions/s/resourceGroups/rg-1/providers/Microsoft.Communication/communicationServices/x",
      ),
    ).toBe("rg-1");
    expect(errorOf(() => resourceGroupOf("cc", "not-an-id")).path).toBe("communicationServices.existing.resourceId");
  });
});
