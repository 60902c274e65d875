import { describe, expect, it } from "vitest";
import {
  CHANGED_OUTSIDE_PULUMI,
  containsCredential,
  reconcileCredentials,
  withoutCredentials,
} from "../../provider/credentials";
import { UNKNOWN } from "../../provider/json";

const webhook = (secret?: string): object => ({
  kind: "webhook",
  webhookUri: "https://w",
  clientCredential: secret === undefined ? { clientId: "c" } : { clientId: "c", clientSecret: secret },
});

describe("containsCredential", () => {
  it("finds secrets anywhere, including values not known yet", () => {
    expect(containsCredential({ mode: { scoringRule: webhook("s") } })).toBe(true);
    expect(
      containsCredential([
        { kind: "ruleEngine", rule: { kind: "function", functionUri: "https://f", credential: { appKey: "k" } } },
      ]),
    ).toBe(true);
    expect(containsCredential({ credential: { functionKey: UNKNOWN } })).toBe(true);
    expect(containsCredential(webhook())).toBe(false);
    expect(containsCredential({ clientCredential: { clientSecret: "" } })).toBe(false);
  });

  it("withoutCredentials strips them deeply", () => {
    expect(withoutCredentials([webhook("s")])).toEqual([webhook()]);
  });
});

describe("reconcileCredentials", () => {
  it("keeps the known secret when the service does not echo it", () => {
    expect(reconcileCredentials({ prioritizationRule: webhook() }, { prioritizationRule: webhook("s") })).toEqual({
      prioritizationRule: webhook("s"),
    });
  });

  it("restores a credential object that held only secrets and came back absent", () => {
    const known = { kind: "function", functionUri: "https://f", credential: { functionKey: "k" } };
    expect(reconcileCredentials({ kind: "function", functionUri: "https://f" }, known)).toEqual(known);
  });

  it("replaces a secret that differs from the known one with a marker (never copied into state)", () => {
    const out = reconcileCredentials(
      { prioritizationRule: webhook("changed-by-hand") },
      { prioritizationRule: webhook("s") },
    );
    expect(out).toEqual({ prioritizationRule: webhook(CHANGED_OUTSIDE_PULUMI) });
    const fresh = reconcileCredentials({ prioritizationRule: webhook("new") }, {});
    expect(fresh).toEqual({ prioritizationRule: webhook(CHANGED_OUTSIDE_PULUMI) });
  });

  it("keeps an identical echoed secret", () => {
    expect(reconcileCredentials({ r: webhook("s") }, { r: webhook("s") })).toEqual({ r: webhook("s") });
  });

  it("pairs array elements by content, not position", () => {
    const a = {
      kind: "ruleEngine",
      rule: { kind: "function", functionUri: "https://a", credential: { clientId: "x" } },
    };
    const b = {
      kind: "ruleEngine",
      rule: { kind: "function", functionUri: "https://b", credential: { clientId: "x" } },
    };
    const knownB = {
      kind: "ruleEngine",
      rule: { kind: "function", functionUri: "https://b", credential: { clientId: "x", functionKey: "kb" } },
    };
    const out = reconcileCredentials([a, b], [knownB, a]) as Array<{ rule: { credential: object } }>;
    expect(out[0]?.rule.credential).toEqual({ clientId: "x" });
    expect(out[1]?.rule.credential).toEqual({ clientId: "x", functionKey: "kb" });
  });

  it("does not carry a secret over to a rule of another kind", () => {
    const known = { r: { kind: "function", functionUri: "https://f", credential: { functionKey: "k" } } };
    expect(reconcileCredentials({ r: { kind: "static", value: 1 } }, known)).toEqual({
      r: { kind: "static", value: 1 },
    });
  });
});
