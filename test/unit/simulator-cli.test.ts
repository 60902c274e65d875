// jobrouter-simulate: argument rules in-process, every output form, and the installed bin on the documented example.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, parseArgs } from "../../simulator/cli";

const root = join(__dirname, "..", "..");
const example = join(root, "examples", "simulation", "scenario.json");

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

describe("jobrouter-simulate arguments", () => {
  it("needs a scenario, or traffic with a configuration source, not both", () => {
    expect(() => parseArgs([])).toThrow("a SCENARIO file or --traffic is required");
    expect(() => parseArgs(["--traffic", "t.json"])).toThrow("--traffic needs a configuration");
    expect(() => parseArgs(["s.json", "--before-state", "x.json"])).toThrow("not both");
    expect(() => parseArgs(["s.json", "--json"])).toThrow("--json needs a value");
    expect(() => parseArgs(["s.json", "--fast"])).toThrow("unknown option --fast");
    expect(parseArgs(["--traffic", "t.json", "--after-preview", "p.json"])).toMatchObject({
      traffic: "t.json",
      afterPreview: "p.json",
    });
  });

  it("answers 2 and names the field for a bad scenario", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const file = join(dir, "bad.json");
    const scenario = JSON.parse(readFileSync(example, "utf8")) as { traffic: { seed: unknown } };
    scenario.traffic.seed = "forty-two";
    writeFileSync(file, JSON.stringify(scenario));
    const r = await run([file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("traffic.seed: must be a number");
    expect(r.out).toBe("");
  });
});

describe("jobrouter-simulate output", () => {
  it("writes JSON, markdown and SVG files that agree with each other", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const json = join(dir, "report.json");
    const md = join(dir, "report.md");
    const svg = join(dir, "chart.svg");
    const r = await run([example, "--json", json, "--markdown", md, "--svg", svg]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    const report = JSON.parse(readFileSync(json, "utf8")) as {
      before: { queues: Record<string, { serviceLevel: number }> };
      after: { queues: Record<string, { serviceLevel: number }>; differences: { count: number } };
    };
    expect(Object.keys(report.after.queues)).toEqual(["escalations", "sales", "support-inhouse", "support-partner"]);
    const mdText = readFileSync(md, "utf8");
    const support = report.after.queues["support-partner"]?.serviceLevel ?? -1;
    expect(mdText).toContain(
      `${((report.before.queues["support-partner"]?.serviceLevel ?? -1) * 100).toFixed(1)}% → ${(support * 100).toFixed(1)}%`,
    );
    // The sentence adds up: only-queue + only-outcome + both = the count.
    const sentence =
      /\*\*(\d+)\*\* measured callers end differently: (\d+) only in another queue, (\d+) only with another outcome, (\d+) with both\./.exec(
        mdText,
      );
    expect(sentence).not.toBeNull();
    const [n, q, o, both] = (sentence ?? []).slice(1).map(Number);
    expect(n).toBe(report.after.differences.count);
    expect((q ?? 0) + (o ?? 0) + (both ?? 0)).toBe(n);
    // The chart is linked from the markdown file's folder (here the same folder).
    expect(mdText).toContain("![service level per queue](chart.svg)");
    const svgText = readFileSync(svg, "utf8");
    expect(svgText.startsWith("<svg")).toBe(true);
    expect(svgText).toContain(`support-partner: ${(support * 100).toFixed(1)}%`);
  });

  it("links the chart relative to the markdown file, wherever the command runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const md = join(dir, "comments", "report.md");
    const svg = join(dir, "charts", "chart.svg");
    mkdirSync(join(dir, "comments"));
    mkdirSync(join(dir, "charts"));
    expect((await run([example, "--markdown", md, "--svg", svg])).code).toBe(0);
    expect(readFileSync(md, "utf8")).toContain("![service level per queue](../charts/chart.svg)");
    expect(existsSync(svg)).toBe(true);
  });

  it("the installed bin prints the markdown report for the documented example", () => {
    const bin = join(root, "node_modules", ".bin", "jobrouter-simulate");
    expect(readFileSync(join(root, "simulator", "cli.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    // The published manifest (the repository root is the private development package).
    const manifest = join(root, "packages", "pulumi-jobrouter", "package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["jobrouter-simulate"]).toBe("dist/simulator/cli.js");
    expect(existsSync(bin)).toBe(true);
    const node = join(root, "node_modules", ".bin", "node");
    const r = spawnSync(existsSync(node) ? node : process.execPath, [bin, example], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("### Routing simulation: before → after");
    expect(r.stdout).toMatch(/\| `support-partner` \| \d+ → \d+ \| [\d.]+% → [\d.]+% /);
  });
});
