// What `pulumi preview --diff` prints, from the CLI's own display, for a ContactCenter program on disk: creates
// and deletes list only what the program wrote (never the provider's bookkeeping `owner` and `componentOrigin`),
// and a changed value, including one changed from its service default, shows as a change (`~ 1 => 2`).

import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

const PROGRAM_DIR = path.join(__dirname, "contact-center-program");

function routing(maxConcurrentOffers: number, withQueue: boolean): Record<string, { value: string }> {
  const args = {
    distributionPolicies: {
      "longest-idle": { offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle", maxConcurrentOffers } },
    },
    ...(withQueue ? { queues: { main: { distributionPolicy: "longest-idle" } } } : {}),
  };
  return { "e2e:routing": { value: JSON.stringify(args) } };
}

/** The display without ANSI colours. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

const BOOKKEEPING = /\b(__)?(owner|componentOrigin)\b/;

describe("pulumi preview --diff shows what the program wrote, and changes as changes", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "diff-display" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: routing(1, true) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("a create lists the written inputs, not owner or componentOrigin", async () => {
    const out = plain((await h.preview({ diff: true })).stdout);
    expect(out).toContain("+ pulumi-nodejs:dynamic/jobrouter:DistributionPolicy: (create)");
    expect(out).toContain("+ pulumi-nodejs:dynamic/jobrouter:RouterQueue: (create)");
    // Every input of a create is listed (so the bookkeeping would be, under a displayed name).
    expect(out).toMatch(/offerExpiresAfterSeconds\s*: 60/);
    expect(out).toMatch(/distributionPolicyId\s*: "longest-idle"/);
    expect(out).not.toMatch(BOOKKEEPING);
    await h.up();
  });

  it("maxConcurrentOffers 1 → 2 is shown as a change of the value, also after a refresh", async () => {
    // A refresh that finds no drift keeps the program's inputs (with the default it wrote).
    await h.refresh();
    await h.current().setConfig(routing(2, true));
    const out = plain((await h.preview({ diff: true })).stdout);
    expect(out).toContain("~ pulumi-nodejs:dynamic/jobrouter:DistributionPolicy: (update)");
    expect(out).toMatch(/~ maxConcurrentOffers\s*: 1 => 2/);
    expect(out).not.toMatch(/\+ maxConcurrentOffers/);
    expect(out).not.toMatch(BOOKKEEPING);
    await h.up();
  });

  it("a delete lists the inputs, not owner or componentOrigin", async () => {
    await h.current().setConfig(routing(2, false));
    const out = plain((await h.preview({ diff: true })).stdout);
    expect(out).toContain("- pulumi-nodejs:dynamic/jobrouter:RouterQueue: (delete)");
    expect(out).toMatch(/queueId\s*: "main"/);
    expect(out).not.toMatch(BOOKKEEPING);
    // The bookkeeping is still in the state, under names the engine never displays.
    const state = await h.state();
    const dp = (state.checkpoint.latest?.resources ?? []).find((r) => r.type.endsWith("DistributionPolicy"));
    expect(dp?.inputs?.["__owner"]).toMatch(/\/DistributionPolicy\/contoso-dp-longest-idle$/);
    expect(dp?.inputs?.["__componentOrigin"]).toBe('ContactCenter "contoso" distributionPolicies.longest-idle');
  });
});
