// The resource classes under Pulumi's mocks: type tokens, the Job Router id defaulting to the resource
// name, the input bag (unknown argument names kept for check, `etag` output), and which inputs are made
// secret. Provider methods never run under mocks; those are covered by the other provider tests.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ClassificationPolicy, DistributionPolicy, ExceptionPolicy, RouterQueue } from "../../provider";
import { KINDS } from "../../provider/kinds";
import { inputBag } from "../../provider/resources/inputs";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        // The provider's create returns the Job Router id as the Pulumi id; the mock does the same.
        const kind = Object.values(KINDS).find((k) => args.type.endsWith(`:${k.typeName}`));
        const id = String(kind ? args.inputs[kind.idKey] : args.name);
        return { id, state: { ...args.inputs, etag: '"e"' } };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
});

function outputOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

describe("resource classes", () => {
  it("register with the jobrouter module tokens, and the id defaults to the resource name", async () => {
    const dp = new DistributionPolicy("default-policy", { mode: { kind: "longestIdle" } });
    const q = new RouterQueue("support", { distributionPolicyId: dp.id, labels: { tier: "gold" } });
    const cp = new ClassificationPolicy("intake", { classificationPolicyId: "intake-v2", fallbackQueueId: q.id });
    const ep = new ExceptionPolicy("escalations", {
      exceptionRules: [{ id: "r", trigger: { kind: "waitTime", thresholdSeconds: 5 }, actions: [{ kind: "cancel" }] }],
    });
    expect(await outputOf(q.id)).toBe("support");
    expect(await outputOf(cp.id)).toBe("intake-v2");
    expect(await outputOf(ep.exceptionPolicyId)).toBe("escalations");
    expect(await outputOf(q.etag)).toBe('"e"');
    const types = Object.fromEntries(registered.map((r) => [r.name, r.type]));
    expect(types).toMatchObject({
      "default-policy": "pulumi-nodejs:dynamic/jobrouter:DistributionPolicy",
      support: "pulumi-nodejs:dynamic/jobrouter:RouterQueue",
      intake: "pulumi-nodejs:dynamic/jobrouter:ClassificationPolicy",
      escalations: "pulumi-nodejs:dynamic/jobrouter:ExceptionPolicy",
    });
    const queue = registered.find((r) => r.name === "support");
    expect(queue?.inputs).toMatchObject({
      queueId: "support",
      distributionPolicyId: "default-policy",
      labels: { tier: "gold" },
    });
    expect(typeof queue?.inputs["__provider"]).toBe("string");
  });

  it("accepts a JSON body from the Job Router documentation as arguments", async () => {
    // The body of the docs' "create a classification policy" example, typed as the resource's arguments.
    const body = {
      name: "Default",
      fallbackQueueId: "queue-1",
      queueSelectorAttachments: [
        { kind: "static" as const, queueSelector: { key: "Region", labelOperator: "equal" as const, value: "NA" } },
      ],
      prioritizationRule: { kind: "static" as const, value: 10 },
      workerSelectorAttachments: [{ kind: "passThrough" as const, key: "Language", labelOperator: "equal" as const }],
    };
    const cp = new ClassificationPolicy("docs-example", body);
    expect(await outputOf(cp.prioritizationRule)).toEqual({ kind: "static", value: 10 });
  });
});

describe("inputBag", () => {
  it("keeps unknown argument names (so check can report them) and adds the etag output and the owner", () => {
    const bag = inputBag("queues", "q", { lables: { a: 1 } });
    expect(Object.keys(bag).sort()).toEqual(
      [
        "adopted",
        "connection",
        "distributionPolicyId",
        "etag",
        "leaveOnDelete",
        "exceptionPolicyId",
        "labels",
        "lables",
        "name",
        "__owner",
        "queueId",
      ].sort(),
    );
    expect(bag["queueId"]).toBe("q");
    // project/stack/type/name: the provider never sees the URN, so the create journal is bound to this.
    // Under a `__` name: the engine never displays those (not in `pulumi preview --diff` of a create or delete).
    expect(bag["__owner"]).toBe(`${pulumi.getProject()}/${pulumi.getStack()}/RouterQueue/q`);
    // A program cannot pass someone else's owner: the class sets it.
    const forged = inputBag("queues", "q", { owner: "x/y/RouterQueue/q", __owner: "x/y/RouterQueue/q" });
    expect(forged["__owner"]).toBe(bag["__owner"]);
    expect(forged).not.toHaveProperty("owner");
  });

  it("makes the connection secret, and a credential-bearing field secret only when it holds a credential", async () => {
    const withSecret = inputBag("classificationPolicies", "c", {
      connection: "endpoint=https://x/;accesskey=AAAA",
      prioritizationRule: { kind: "webhook", clientCredential: { clientId: "a", clientSecret: "plain-text" } },
      queueSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "directMap" } }],
    });
    expect(await pulumi.isSecret(withSecret["connection"] as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(withSecret["prioritizationRule"] as pulumi.Output<unknown>)).toBe(true);
    // No credential: passed through untouched (not even wrapped in an Output).
    expect(pulumi.Output.isInstance(withSecret["queueSelectorAttachments"])).toBe(false);
  });

  it("leaves a field without credentials as it is, so an unknown id inside it stays unknown only there", async () => {
    const attachments = [
      { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: pulumi.output("q1") } },
    ];
    const bag = inputBag("classificationPolicies", "c", { queueSelectorAttachments: attachments });
    expect(bag["queueSelectorAttachments"]).toBe(attachments);
  });

  it("treats an Output where a credential may be as a credential, and resolves only when it cannot tell", async () => {
    const holder = inputBag("classificationPolicies", "c", {
      prioritizationRule: { kind: "function", functionUri: "https://f", credential: pulumi.output({ clientId: "x" }) },
    });
    expect(await pulumi.isSecret(holder["prioritizationRule"] as pulumi.Output<unknown>)).toBe(true);
    const opaque = inputBag("classificationPolicies", "c", {
      prioritizationRule: pulumi.output({ kind: "directMap" }),
    });
    expect(pulumi.Output.isInstance(opaque["prioritizationRule"])).toBe(true);
    expect(await pulumi.isSecret(opaque["prioritizationRule"] as pulumi.Output<unknown>)).toBe(false);
    const hidden = inputBag("classificationPolicies", "c", {
      prioritizationRule: pulumi.output({ kind: "webhook", clientCredential: { clientSecret: "s" } }),
    });
    expect(await pulumi.isSecret(hidden["prioritizationRule"] as pulumi.Output<unknown>)).toBe(true);
  });
});
