import { describe, expect, it } from "vitest";
import { changedProperties, diffInputs } from "../../provider/diff";
import { UNKNOWN } from "../../provider/json";

const PROVIDER_V1 = "exports.handler = v1";
const PROVIDER_V2 = "exports.handler = v2";

const oldQueue = {
  __provider: PROVIDER_V1,
  queueId: "support",
  name: "Support",
  distributionPolicyId: "dp",
  labels: { tier: "gold" },
  etag: '"e1"',
  connection: "endpoint=https://x/;accesskey=AAAA",
};

describe("diffInputs", () => {
  it("a changed Job Router id is a replacement (and so is one not known yet)", () => {
    expect(diffInputs("queues", "support", oldQueue, { ...oldQueue, queueId: "support-2" })).toEqual({
      replaces: ["queueId"],
    });
    expect(diffInputs("queues", "support", oldQueue, { ...oldQueue, queueId: UNKNOWN })).toEqual({
      replaces: ["queueId"],
    });
  });

  it("no change at all → changes: false", () => {
    const news: Record<string, unknown> = { ...oldQueue };
    delete news["etag"];
    expect(diffInputs("queues", "support", oldQueue, news)).toEqual({ changes: false });
  });

  it("server noise, a new provider text and adoptExisting are no change", () => {
    const news = {
      __provider: PROVIDER_V2,
      queueId: "support",
      name: "Support",
      distributionPolicyId: "dp",
      labels: { tier: "gold", Id: "support" },
      connection: oldQueue.connection,
      adoptExisting: true,
    };
    expect(diffInputs("queues", "support", oldQueue, news)).toEqual({ changes: false });
    const oldCp = {
      classificationPolicyId: "cp",
      name: "n",
      queueSelectorAttachments: [],
      workerSelectorAttachments: [],
    };
    expect(diffInputs("classificationPolicies", "cp", oldCp, { classificationPolicyId: "cp", name: "n" })).toEqual({
      changes: false,
    });
  });

  it("a real change leaves `changes` undefined so the engine renders the property diff", () => {
    expect(diffInputs("queues", "support", oldQueue, { ...oldQueue, name: "Help" })).toEqual({});
    expect(diffInputs("queues", "support", oldQueue, { ...oldQueue, labels: {} })).toEqual({});
    // A different connection must be stored (refresh and destroy use it): an update.
    expect(
      diffInputs("queues", "support", oldQueue, { ...oldQueue, connection: "endpoint=https://y/;accesskey=AAAA" }),
    ).toEqual({});
  });

  it("unknown values mean 'maybe': the engine decides", () => {
    expect(diffInputs("queues", "support", oldQueue, { ...oldQueue, distributionPolicyId: UNKNOWN })).toEqual({});
  });

  it("reordered selector sets are no change", () => {
    const sel = (k: string): object => ({ key: k, labelOperator: "equal", value: 1 });
    const olds = {
      classificationPolicyId: "c",
      queueSelectorAttachments: [
        { kind: "static", queueSelector: sel("a") },
        { kind: "static", queueSelector: sel("b") },
      ],
    };
    const news = {
      classificationPolicyId: "c",
      queueSelectorAttachments: [
        { kind: "static", queueSelector: sel("b") },
        { kind: "static", queueSelector: sel("a") },
      ],
    };
    expect(diffInputs("classificationPolicies", "c", olds, news)).toEqual({ changes: false });
  });
});

describe("changedProperties", () => {
  it("names exactly the top-level properties that differ after normalisation", () => {
    const news = { ...oldQueue, name: "Help", labels: { tier: "gold", Id: "support" } };
    expect(changedProperties("queues", oldQueue, news)).toEqual(["name"]);
    expect(changedProperties("queues", oldQueue, { ...oldQueue, queueId: "x", labels: { a: 1 } })).toEqual([
      "labels",
      "queueId",
    ]);
  });
});
