// Ownership rules (provider/ownership.ts): the owner input, the adoption comparison (`path: live → declared`), what a
// create does with an object that exists, and when a delete must leave an object another resource took over. Also
// what check does with `owner` and `adoptExisting` after the create (kept from the old inputs, so never in a diff).

import { describe, expect, it } from "vitest";
import { checkInputs } from "../../provider/check";
import type { ConnectionSources } from "../../provider/connection";
import { diffInputs } from "../../provider/diff";
import { newEntry, ownedEntry } from "../../provider/journal";
import {
  NOBODY,
  adoptedMessage,
  adoptMode,
  componentOfOrigin,
  componentRename,
  contactCenterRename,
  decideExisting,
  handedOver,
  isAdoptValue,
  leavesOnDelete,
  leftByChoiceMessage,
  leftInPlaceMessage,
  ownerFor,
  parseOwner,
  specDifferences,
  type ExistingObject,
} from "../../provider/ownership";

const now = new Date("2026-11-24T10:00:00.000Z");
const HASH = "a".repeat(64);
const me = ownerFor("shop", "dev", "RouterQueue", "vip-queue");
const spec = { name: "VIP", distributionPolicyId: "dp", labels: { tier: "gold" } };

function existing(over: Partial<ExistingObject> = {}): ExistingObject {
  return {
    what: 'queue "q-vip"',
    idKey: "queueId",
    endpoint: "https://contoso.example/",
    owner: me,
    mode: "none",
    record: undefined,
    vouched: false,
    live: spec,
    declared: spec,
    hasCredential: false,
    ...over,
  };
}

describe("owner input", () => {
  it("is project/stack/type/name; the name may hold slashes, the rest may not", () => {
    expect(ownerFor("shop", "dev", "RouterQueue", "a/b")).toBe("shop/dev/RouterQueue/a/b");
    expect(parseOwner("shop/dev/RouterQueue/a/b")).toEqual({
      project: "shop",
      stack: "dev",
      type: "RouterQueue",
      name: "a/b",
    });
    expect(parseOwner("shop/dev/RouterQueue")).toBeUndefined();
    expect(parseOwner(undefined)).toBeUndefined();
  });

  it('adoptExisting: true adopts identical objects only, "overwrite" overwrites, anything else adopts nothing', () => {
    expect(adoptMode(true)).toBe("identical");
    expect(adoptMode("overwrite")).toBe("overwrite");
    for (const v of [false, undefined, null, "yes", 1]) expect(adoptMode(v)).toBe("none");
    for (const v of [true, false, undefined, null, "overwrite"]) expect(isAdoptValue(v)).toBe(true);
    for (const v of ["yes", "Overwrite", 1, {}]) expect(isAdoptValue(v)).toBe(false);
  });
});

describe("adoption comparison", () => {
  it("lists each differing leaf as `path: live → declared`, absent members included", () => {
    expect(
      specDifferences(
        { name: "VIP", labels: { tier: "gold", stray: "x" }, mode: { kind: "roundRobin", maxConcurrentOffers: 1 } },
        { name: "VIP queue", labels: { tier: "gold" }, mode: { kind: "longestIdle", maxConcurrentOffers: 1 } },
      ),
    ).toEqual(['labels.stray: "x" → (absent)', 'mode.kind: "roundRobin" → "longestIdle"', 'name: "VIP" → "VIP queue"']);
  });

  it("walks arrays by index and shows a whole value where the shapes differ", () => {
    expect(
      specDifferences(
        { exceptionRules: [{ id: "a", trigger: { kind: "waitTime", thresholdSeconds: 60 } }] },
        { exceptionRules: [{ id: "a", trigger: { kind: "waitTime", thresholdSeconds: 90 } }, { id: "b" }] },
      ),
    ).toEqual(["exceptionRules[0].trigger.thresholdSeconds: 60 → 90", 'exceptionRules[1]: (absent) → {"id":"b"}']);
    expect(specDifferences({ labels: 1 }, { labels: { a: 1 } })).toEqual(['labels: 1 → {"a":1}']);
  });

  it("never prints a credential", () => {
    const live = { mode: { scoringRule: { kind: "function", credential: { appKey: "live-secret-1" } } } };
    const declared = { mode: { scoringRule: { kind: "function", credential: { appKey: "declared-secret-2" } } } };
    const lines = specDifferences(live, declared);
    expect(lines).toEqual(["mode.scoringRule.credential.appKey: [secret] → [secret]"]);
    const whole = specDifferences({}, declared).join("\n");
    expect(whole).toContain("[secret]");
    expect(whole).not.toContain("declared-secret-2");
  });

  it("equal specs have no differences", () => {
    expect(specDifferences(spec, { ...spec, labels: { tier: "gold" } })).toEqual([]);
  });
});

describe("a create that finds its id taken", () => {
  it("adopts its own interrupted create (vouched), writing only when the live spec differs", () => {
    expect(decideExisting(existing({ vouched: true }))).toEqual({
      kind: "adopt",
      write: false,
      handOver: false,
      recovered: true,
    });
    expect(decideExisting(existing({ vouched: true, live: { ...spec, name: "x" } }))).toMatchObject({ write: true });
  });

  it("without adoptExisting refuses; a rename names the old resource and the exact aliases fix", () => {
    const record = ownedEntry("h/queues/q-vip", ownerFor("shop", "dev", "RouterQueue", "vip"), now);
    const d = decideExisting(existing({ record }));
    expect(d.kind).toBe("refuse");
    const message = d.kind === "refuse" ? d.message : "";
    expect(message).toContain('cannot create queue "q-vip": an object with this id already exists');
    expect(message).toContain('RouterQueue "vip" of this stack manages it');
    expect(message).toContain('add `aliases: [{ name: "vip" }]` to the resource options of "vip-queue"');
    expect(message).not.toContain("ContactCenter");
  });

  it("without a record refuses with the generic message: aliases, adoptExisting true/overwrite, another id", () => {
    const d = decideExisting(existing());
    const message = d.kind === "refuse" ? d.message : "";
    expect(message).toContain('`aliases: [{ name: "<old name>" }]`');
    expect(message).toContain("`adoptExisting: true`");
    expect(message).toContain('`adoptExisting: "overwrite"`');
    expect(message).toContain("choose another `queueId`");
    // Machine-independent: whose it may be, how to check, what adoption does and does not do, the crash fix.
    expect(message).toContain("It may belong to another stack or project (or to another resource of this stack)");
    expect(message).toContain(`\`pulumi stack export --stack <other stack> | grep '"queueId": "q-vip"'\``);
    expect(message).toContain("an adopted object is left in place when its resource is deleted");
    expect(message).toContain("the other owner's delete (or its stack's destroy) still deletes it");
    expect(message).toContain("set `leaveOnDelete: true` on that resource first");
    expect(message).toContain(
      "If an interrupted `pulumi up` of this stack made it (no stack holds it), set `adoptExisting: true` and `leaveOnDelete: false`",
    );
  });

  it("a second stack of the same project is refused even with adoptExisting; another project may move it", () => {
    const record = ownedEntry("k", ownerFor("shop", "prod", "RouterQueue", "vip-queue"), now);
    for (const mode of ["none", "identical", "overwrite"] as const) {
      const d = decideExisting(existing({ record, mode }));
      expect(d.kind, mode).toBe("refuse");
      expect(d.kind === "refuse" ? d.message : "").toContain('stack "prod" of this project manages it');
    }
    const elsewhere = ownedEntry("k", ownerFor("legacy", "prod", "RouterQueue", "vip"), now);
    const refused = decideExisting(existing({ record: elsewhere }));
    expect(refused.kind === "refuse" ? refused.message : "").toContain("of stack legacy/prod manages it");
    expect(decideExisting(existing({ record: elsewhere, mode: "identical" }))).toEqual({
      kind: "adopt",
      write: false,
      handOver: true,
      recovered: false,
    });
  });

  it("adoptExisting: true adopts an identical object without a write, and refuses a different one listing the fields", () => {
    expect(decideExisting(existing({ mode: "identical" }))).toEqual({
      kind: "adopt",
      write: false,
      handOver: true,
      recovered: false,
    });
    // Even with a credential: true never writes.
    expect(decideExisting(existing({ mode: "identical", hasCredential: true }))).toMatchObject({ write: false });
    const d = decideExisting(existing({ mode: "identical", live: { ...spec, labels: { tier: "silver" } } }));
    expect(d.kind).toBe("refuse");
    expect(d.kind === "refuse" ? d.message : "").toBe(
      'jobrouter: cannot adopt queue "q-vip" for RouterQueue "vip-queue": `adoptExisting: true` adopts an object ' +
        "only when it already matches this program, and it differs (live → declared):\n" +
        '  labels.tier: "silver" → "gold"\n' +
        "Either change the program to match (then it is adopted without any write), or set " +
        '`adoptExisting: "overwrite"` to adopt it and write this program\'s configuration over it.',
    );
  });

  it('"overwrite" adopts and writes when the object differs (or a credential is declared), with a hand-over', () => {
    const live = { ...spec, labels: { tier: "silver" } };
    expect(decideExisting(existing({ mode: "overwrite", live }))).toEqual({
      kind: "adopt",
      write: true,
      handOver: true,
      recovered: false,
    });
    expect(decideExisting(existing({ mode: "overwrite" }))).toEqual({
      kind: "adopt",
      write: false,
      handOver: true,
      recovered: false,
    });
    expect(decideExisting(existing({ mode: "overwrite", hasCredential: true }))).toMatchObject({ write: true });
  });
});

describe("leaving an object on delete (from the state, on any machine)", () => {
  it("leaveOnDelete wins; unset, an adopted object is left and a created one (or state without the flag) deleted", () => {
    expect(leavesOnDelete(true, false)).toBe("leaveOnDelete");
    expect(leavesOnDelete(false, true)).toBeUndefined();
    expect(leavesOnDelete(undefined, true)).toBe("adopted");
    expect(leavesOnDelete(undefined, false)).toBeUndefined();
    expect(leavesOnDelete(undefined, undefined)).toBeUndefined();
  });

  it("says why it left the object, and how to change that", () => {
    const owner = ownerFor("shop", "dev", "RouterQueue", "x");
    expect(leftByChoiceMessage('queue "q-vip"', owner, "adopted")).toBe(
      'jobrouter: left queue "q-vip" in place: RouterQueue "x" adopted it (adoptExisting), and adopted objects stay ' +
        "on the service when their resource is deleted; set `leaveOnDelete: false` to let Pulumi delete it.",
    );
    expect(leftByChoiceMessage('queue "q-vip"', owner, "leaveOnDelete")).toBe(
      'jobrouter: left queue "q-vip" in place: RouterQueue "x" has `leaveOnDelete: true`, so its delete only ' +
        "removes it from its stack's state.",
    );
  });

  it("an adoption warns that another manager must set leaveOnDelete before removing it", () => {
    const owner = ownerFor("shop", "dev", "RouterQueue", "x");
    const text = adoptedMessage('queue "q-vip"', owner, undefined, false);
    expect(text).toContain('jobrouter: RouterQueue "x" adopted queue "q-vip" (adoptExisting), without any write.');
    expect(text).toContain("It stays on the service when this resource is deleted");
    expect(text).toContain("if another resource still manages it, set `leaveOnDelete: true` on it before removing it");
    expect(adoptedMessage('queue "q-vip"', owner, false, true)).toContain(
      "and wrote this program's configuration over it. With `leaveOnDelete: false`, deleting this resource deletes the object.",
    );
  });
});

describe("a renamed ContactCenter", () => {
  it("is recognised from its children's names (same collection and key, another component name)", () => {
    expect(componentRename("alpha-queue-vip", "beta-queue-vip")).toEqual({ from: "alpha", to: "beta" });
    expect(componentRename("my-cc-dp-idle-1", "new-cc-dp-idle-1")).toEqual({ from: "my-cc", to: "new-cc" });
    expect(componentRename("alpha-queue-vip", "alpha-queue-gold")).toBeUndefined();
    expect(componentRename("vip", "vip-queue")).toBeUndefined();
    expect(componentOfOrigin('ContactCenter "beta" queues.vip')).toBe("beta");
    expect(componentOfOrigin(undefined)).toBeUndefined();
  });

  it("with this machine's record: names both names and the alias to add at the component", () => {
    const record = ownedEntry("k", ownerFor("shop", "dev", "RouterQueue", "alpha-queue-vip"), now);
    const d = decideExisting(
      existing({ record, owner: ownerFor("shop", "dev", "RouterQueue", "beta-queue-vip"), component: "beta" }),
    );
    const message = d.kind === "refuse" ? d.message : "";
    expect(message).toContain('the ContactCenter "alpha" was renamed to "beta"');
    expect(message).toContain('Add `aliases: [{ name: "alpha" }]` to the options of the ContactCenter "beta"');
  });

  it("without a record (a fresh runner): the alias fix at the component, with the old name to fill in", () => {
    const d = decideExisting(
      existing({ owner: ownerFor("shop", "dev", "RouterQueue", "beta-queue-vip"), component: "beta" }),
    );
    const message = d.kind === "refuse" ? d.message : "";
    expect(message).toContain(
      'If you renamed the ContactCenter (now "beta"), add `aliases: [{ name: "<old name>" }]` to the options of the ContactCenter "beta"',
    );
  });
});

describe("leaveOnDelete as an input", () => {
  const sources: ConnectionSources = {
    config: (k) => (k === "jobrouter:connectionString" ? "endpoint=http://h/;accesskey=a2V5" : undefined),
    env: () => undefined,
  };
  it("is checked (true or false), kept in the inputs, never in the service body; a change is an update", () => {
    const base = { queueId: "q", name: "Q", distributionPolicyId: "dp", owner: "p/s/RouterQueue/q" };
    const bad = checkInputs("queues", { ...base, leaveOnDelete: "yes" }, sources);
    expect(bad.failures.map((f) => f.reason)).toContain("leaveOnDelete: must be true or false [rule: type]");
    const ok = checkInputs("queues", { ...base, leaveOnDelete: true }, sources);
    expect(ok.failures).toEqual([]);
    expect(ok.inputs["leaveOnDelete"]).toBe(true);
    const olds = { queueId: "q", name: "Q", adopted: false, etag: "e" };
    expect(diffInputs("queues", "q", olds, { queueId: "q", name: "Q" })).toEqual({ changes: false });
    expect(diffInputs("queues", "q", olds, { queueId: "q", name: "Q", leaveOnDelete: true })).toEqual({});
    expect(
      diffInputs("queues", "q", { ...olds, leaveOnDelete: true }, { queueId: "q", name: "Q", leaveOnDelete: true }),
    ).toEqual({
      changes: false,
    });
  });
});

describe("a delete", () => {
  const old = ownerFor("shop", "dev", "RouterQueue", "vip");
  it("leaves an object another owner created or adopted later; deletes its own, unrecorded, or nobody's", () => {
    expect(handedOver(ownedEntry("k", me, now), old)).toBe(true);
    expect(handedOver(newEntry("k", me, HASH, now), old)).toBe(true);
    // State written before owners existed has none: a recorded owner still wins.
    expect(handedOver(ownedEntry("k", me, now), undefined)).toBe(true);
    expect(handedOver(ownedEntry("k", old, now), old)).toBe(false);
    expect(handedOver(undefined, old)).toBe(false);
    expect(handedOver(newEntry("k", NOBODY, HASH, now), old)).toBe(false);
  });

  it("says what it left and who has it", () => {
    expect(leftInPlaceMessage('queue "q-vip"', ownedEntry("k", me, now))).toBe(
      'jobrouter: left queue "q-vip" in place: RouterQueue "vip-queue" of stack shop/dev has taken it over ' +
        "(adoptExisting; recorded on this machine), so this delete of the resource that managed it before only " +
        "removes that resource from its stack's state.",
    );
  });
});

describe("ContactCenter children", () => {
  it("recognises a key rename of one component's child and gives the previousKeys fix", () => {
    expect(contactCenterRename("center-queue-vip", "center-queue-premium")).toEqual({
      component: "center",
      short: "queue",
      oldKey: "vip",
      newKey: "premium",
    });
    expect(contactCenterRename("my-queue-center-dp-a-b", "my-queue-center-dp-c")).toMatchObject({
      component: "my-queue-center",
      oldKey: "a-b",
      newKey: "c",
    });
    expect(contactCenterRename("vip", "vip-queue")).toBeUndefined();
    const record = ownedEntry("k", ownerFor("shop", "dev", "RouterQueue", "center-queue-vip"), now);
    const d = decideExisting(
      existing({ owner: ownerFor("shop", "dev", "RouterQueue", "center-queue-premium"), record }),
    );
    expect(d.kind === "refuse" ? d.message : "").toContain('add `previousKeys: ["vip"]` to the entry "premium"');
  });
});

describe("check and diff: owner and adoptExisting matter only at create", () => {
  const sources: ConnectionSources = {
    config: (k) => (k === "jobrouter:connectionString" ? "endpoint=https://x.example/;accesskey=QUFBQQ==" : undefined),
    env: () => undefined,
  };
  const base = { queueId: "q", name: "Q", distributionPolicyId: "dp" };

  it("takes them from the program at create, from the old inputs afterwards (so a rename with aliases is no change)", () => {
    const created = checkInputs("queues", { ...base, owner: me, adoptExisting: true }, sources).inputs;
    expect(created["owner"]).toBe(me);
    expect(created["adoptExisting"]).toBe(true);
    const renamed = ownerFor("shop", "dev", "RouterQueue", "renamed");
    const later = checkInputs("queues", { ...base, owner: renamed }, sources, created).inputs;
    expect(later["owner"]).toBe(me);
    expect(later["adoptExisting"]).toBe(true);
    expect(diffInputs("queues", "q", created, later)).toEqual({ changes: false });
    // A new id is a new object: a create follows, so the program's values count.
    const replaced = checkInputs("queues", { ...base, queueId: "q2", owner: renamed }, sources, created).inputs;
    expect(replaced["owner"]).toBe(renamed);
    expect(replaced["adoptExisting"]).toBeUndefined();
  });

  it('rejects an adoptExisting that is not true, false or "overwrite", naming the rule', () => {
    expect(checkInputs("queues", { ...base, adoptExisting: "yes" }, sources).failures).toEqual([
      { property: "", reason: 'adoptExisting: must be true, false or "overwrite" [rule: type]' },
    ]);
    expect(checkInputs("queues", { ...base, adoptExisting: "overwrite" }, sources).failures).toEqual([]);
  });

  it("never sends the owner: it is not part of the service body", () => {
    const inputs = checkInputs("queues", { ...base, owner: me }, sources).inputs;
    expect(diffInputs("queues", "q", { ...inputs, owner: "x/y/RouterQueue/z" }, inputs)).toEqual({ changes: false });
  });
});
