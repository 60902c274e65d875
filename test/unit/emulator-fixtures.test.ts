// Emulator behaviour pinned by the fixtures in test/fixtures/emulator/*.json (written from the facts in
// the recordings, the spec and the docs; each fixture lists its sources). Every request goes over real
// HTTP and is signed by the Azure SDK's own HMAC policy.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";
import { SdkClient, runFixture } from "../fixtures/emulator/harness";
import type { Fixture } from "../fixtures/emulator/harness";

const dir = join(__dirname, "..", "fixtures", "emulator");
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), "utf8")) as Fixture] as const);

describe("emulator fixtures", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("has fixtures to run", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const [file, fixture] of fixtures) {
    it(`${file}: ${fixture.name}`, async () => {
      expect(fixture.sources.length).toBeGreaterThan(0);
      emu = await startEmulator();
      const failures = await runFixture(new SdkClient(emu.endpoint, emu.accessKey), fixture);
      expect(failures).toEqual([]);
      // Every request was authenticated by the SDK's signature.
      expect(emu.requests.length).toBe(fixture.steps.length);
      expect(emu.requests.every((r) => r.auth === "hmac")).toBe(true);
    });
  }
});
