import { describe, expect, it } from "vitest";
import { applyMergePatch, mergePatchFor } from "../../provider/mergePatch";
import { mergePatch as emulatorMergePatch } from "../../emulator/mergePatch";
import type { JsonObject } from "../../provider/json";

describe("mergePatchFor", () => {
  it("sends null for a removed label and for a removed field", () => {
    const current = { name: "q", labels: { a: 1, b: 2 }, exceptionPolicyId: "ep" };
    const desired = { name: "q", labels: { a: 1 } };
    expect(mergePatchFor(current, desired)).toEqual({ name: "q", labels: { a: 1, b: null }, exceptionPolicyId: null });
  });

  it("nulls the old kind's fields when a nested rule changes kind", () => {
    const current = {
      prioritizationRule: { kind: "webhook", webhookUri: "https://a", clientCredential: { clientId: "c" } },
    };
    const desired = { prioritizationRule: { kind: "static", value: 3 } };
    expect(mergePatchFor(current, desired)).toEqual({
      prioritizationRule: { kind: "static", value: 3, webhookUri: null, clientCredential: null },
    });
  });

  it("sends arrays whole (the service replaces them)", () => {
    const current = { exceptionRules: [{ id: "a" }, { id: "b" }] };
    const desired = { exceptionRules: [{ id: "a" }] };
    expect(mergePatchFor(current, desired)).toEqual({ exceptionRules: [{ id: "a" }] });
  });

  it("with nothing stored, is the desired body itself", () => {
    expect(mergePatchFor(undefined, { name: "x", labels: { a: 1 } })).toEqual({ name: "x", labels: { a: 1 } });
  });

  it("applied as the service applies it (the emulator's RFC 7396 merge), yields the desired object", () => {
    // A small deterministic generator of nested objects: labels, nested modes, arrays and scalars.
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const pick = rnd(depth > 2 ? 3 : 5);
      if (pick === 0) return rnd(100);
      if (pick === 1) return `s${rnd(10)}`;
      if (pick === 2) return [rnd(5), `t${rnd(3)}`];
      return obj(depth + 1);
    };
    const obj = (depth: number): JsonObject => {
      const out: JsonObject = {};
      const keys = ["a", "b", "c", "d", "e"];
      for (const k of keys) if (rnd(3) > 0) out[k] = value(depth);
      return out;
    };
    for (let i = 0; i < 300; i++) {
      const current = obj(0);
      const desired = obj(0);
      const patch = mergePatchFor(current, desired);
      expect(applyMergePatch(current, patch)).toEqual(desired);
      expect(emulatorMergePatch(structuredClone(current) as never, structuredClone(patch) as never)).toEqual(desired);
    }
  });
});
