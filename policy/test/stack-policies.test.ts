import { describe, expect, it } from "vitest";
import { contactCenterEventDeadLetter, referencesResolve, TYPES, UNKNOWN_STRING } from "../policies";
import { compliantStack, setPath, urnOf, validateStack, type TestResource } from "./fixtures";

function change(stack: TestResource[], name: string, path: string, value: unknown): TestResource[] {
  const r = stack.find((x) => x.name === name);
  if (!r) throw new Error(`no ${name}`);
  setPath(r.props, path, value);
  return stack;
}

describe("references-resolve", () => {
  it("passes the compliant stack (explicit and defaulted ids, static and conditional selectors, exception actions)", async () => {
    expect(await validateStack(referencesResolve, compliantStack())).toEqual([]);
  });

  const cases: Array<{ title: string; name: string; path: string; value: unknown; message: RegExp }> = [
    {
      title: "queue → distribution policy",
      name: "q-sales",
      path: "distributionPolicyId",
      value: "dp-typo",
      message:
        /queue "q-sales" distributionPolicyId: "dp-typo" must be the id of a distribution policy in this stack or be listed in externalIds\.distributionPolicies/,
    },
    {
      title: "queue → exception policy",
      name: "q-overflow",
      path: "exceptionPolicyId",
      value: "ep-missing",
      message:
        /queue "q-overflow" exceptionPolicyId: "ep-missing" must be the id of an exception policy in this stack or be listed in externalIds\.exceptionPolicies/,
    },
    {
      title: "classification policy → fallback queue",
      name: "cp-inbound",
      path: "fallbackQueueId",
      value: "q-gone",
      message: /classification policy "cp-inbound" fallbackQueueId: "q-gone" must be the id of a queue/,
    },
    {
      title: "classification policy → queue named in a static selector",
      name: "cp-inbound",
      path: "queueSelectorAttachments.0.queueSelector.value",
      value: "q-salse",
      message: /queueSelectorAttachments\[0\]\.queueSelector\.value: "q-salse" must be the id of a queue/,
    },
    {
      title: "classification policy → queue named in a conditional selector",
      name: "cp-inbound",
      path: "queueSelectorAttachments.1.queueSelectors.0.value",
      value: "q-vip",
      message: /queueSelectorAttachments\[1\]\.queueSelectors\[0\]\.value: "q-vip" must be the id of a queue/,
    },
    {
      title: "exception action → queue",
      name: "ep-escalate",
      path: "exceptionRules.0.actions.0.queueId",
      value: "q-nowhere",
      message: /exceptionRules\[0\]\.actions\[0\]\.queueId: "q-nowhere" must be the id of a queue/,
    },
    {
      title: "exception action → classification policy",
      name: "ep-escalate",
      path: "exceptionRules.1.actions.0.classificationPolicyId",
      value: "cp-nowhere",
      message:
        /exceptionRules\[1\]\.actions\[0\]\.classificationPolicyId: "cp-nowhere" must be the id of a classification policy/,
    },
  ];
  for (const c of cases) {
    it(`flags a dangling ${c.title} and names the resource`, async () => {
      const stack = change(compliantStack(), c.name, c.path, c.value);
      const found = await validateStack(referencesResolve, stack);
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toMatch(c.message);
      expect(found[0]?.message).toMatch(/ Fix: /);
      const r = stack.find((x) => x.name === c.name);
      expect(found[0]?.urn).toBe(urnOf(r?.type ?? "", c.name));
    });
  }

  it("accepts ids listed as external, per collection", async () => {
    const stack = change(compliantStack(), "q-sales", "distributionPolicyId", "dp-shared");
    expect(
      await validateStack(referencesResolve, stack, { externalIds: { distributionPolicies: ["dp-shared"] } }),
    ).toEqual([]);
    // Listing it under another collection does not count.
    expect(await validateStack(referencesResolve, stack, { externalIds: { queues: ["dp-shared"] } })).toHaveLength(1);
  });

  it("a reference whose value is computed during preview is not reported", async () => {
    const stack = change(compliantStack(), "q-sales", "distributionPolicyId", UNKNOWN_STRING);
    expect(await validateStack(referencesResolve, stack)).toEqual([]);
  });

  it("a reference to a stack object whose own id is still computed resolves through the engine's property dependencies", async () => {
    const stack = change(compliantStack(), "dp-standard", "distributionPolicyId", UNKNOWN_STRING);
    // q-sales depends on dp-standard for distributionPolicyId; q-overflow declares no dependency.
    const found = await validateStack(referencesResolve, stack);
    expect(found).toEqual([
      {
        message: expect.stringMatching(/queue "q-overflow" distributionPolicyId: "dp-standard"/),
        urn: urnOf(TYPES.queue, "q-overflow"),
      },
    ]);
  });

  it("a selector on another label, or with another operator, names no queue", async () => {
    const stack = change(compliantStack(), "cp-inbound", "queueSelectorAttachments.0.queueSelector", {
      key: "Id",
      labelOperator: "notEqual",
      value: "q-nowhere",
    });
    expect(await validateStack(referencesResolve, stack)).toEqual([]);
  });

  it("weighted allocations are followed too", async () => {
    const stack = change(compliantStack(), "cp-inbound", "queueSelectorAttachments.2", {
      kind: "weightedAllocation",
      allocations: [
        { weight: 0.5, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-sales" }] },
        { weight: 0.5, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-lost" }] },
      ],
    });
    const found = await validateStack(referencesResolve, stack);
    expect(found).toEqual([
      {
        message: expect.stringMatching(
          /queueSelectorAttachments\[2\]\.allocations\[1\]\.queueSelectors\[0\]\.value: "q-lost"/,
        ),
        urn: expect.any(String),
      },
    ]);
  });
});

describe("contact-center-event-dead-letter", () => {
  it("passes a ContactCenter whose Event Grid subscription dead-letters", async () => {
    expect(await validateStack(contactCenterEventDeadLetter, compliantStack())).toEqual([]);
  });

  it("flags a subscription without a dead-letter destination, on the subscription", async () => {
    const stack = change(compliantStack(), "cc-jobrouter", "deadLetterDestination", undefined);
    const found = await validateStack(contactCenterEventDeadLetter, stack);
    expect(found).toEqual([
      {
        message: expect.stringMatching(
          /Event Grid subscription "cc-jobrouter" of ContactCenter "cc" deadLetterDestination: must be set.* Fix: pass `events\.deadLetter`/,
        ),
        urn: urnOf(
          "azure-native:eventgrid:SystemTopicEventSubscription",
          "cc-jobrouter",
          "azure-native:eventgrid:SystemTopic",
        ),
      },
    ]);
    expect(await validateStack(contactCenterEventDeadLetter, stack, { requireDeadLetter: false })).toEqual([]);
  });

  it("accepts dead-lettering with a managed identity", async () => {
    const stack = change(compliantStack(), "cc-jobrouter", "deadLetterDestination", undefined);
    change(stack, "cc-jobrouter", "deadLetterWithResourceIdentity", {
      identity: { type: "SystemAssigned" },
      deadLetterDestination: { endpointType: "StorageBlob" },
    });
    expect(await validateStack(contactCenterEventDeadLetter, stack)).toEqual([]);
  });

  it("flags a ContactCenter without any subscription, on the component", async () => {
    const stack = compliantStack().filter((r) => !r.type.startsWith("azure-native:eventgrid"));
    const found = await validateStack(contactCenterEventDeadLetter, stack);
    expect(found).toEqual([
      {
        message: expect.stringMatching(/ContactCenter "cc" events: must create an Event Grid subscription/),
        urn: urnOf(TYPES.contactCenter, "cc"),
      },
    ]);
  });

  it("a subscription outside the ContactCenter does not count for it", async () => {
    const stack = compliantStack();
    const sub = stack.find((r) => r.name === "cc-jobrouter");
    if (sub) delete sub.parent;
    expect(await validateStack(contactCenterEventDeadLetter, stack)).toHaveLength(1);
  });

  it("does nothing in a stack without a ContactCenter", async () => {
    const stack = compliantStack().filter((r) => r.type !== TYPES.contactCenter);
    expect(await validateStack(contactCenterEventDeadLetter, stack)).toEqual([]);
  });
});
