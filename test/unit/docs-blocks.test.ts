// The convention of the docs harness (CONTRIBUTING.md, "Documentation that runs"): which fenced blocks it runs or
// writes, with the line of their fence, and which it leaves alone.

import { describe, expect, it } from "vitest";
import { parseDocPage } from "../e2e/harness/docBlocks";

describe("parseDocPage", () => {
  it("takes `sh run` and `file=PATH` blocks in order, with their fence's line; the rest is illustrative", () => {
    const page = [
      "# Title", // 1
      "```sh", // 2
      "npm ci # illustrative", // 3
      "```", // 4
      "```sh run", // 5
      "echo one", // 6
      "echo two", // 7
      "```", // 8
      "```ts file=index.ts", // 9
      "export const x = 1;", // 10
      "```", // 11
      "```json", // 12
      "{}", // 13
      "```", // 14
    ].join("\n");
    expect(parseDocPage(page)).toEqual({
      project: false,
      blocks: [
        { line: 5, kind: "run", text: "echo one\necho two\n" },
        { line: 9, kind: "file", file: "index.ts", text: "export const x = 1;\n" },
      ],
    });
  });

  it("sees the project marker and blocks indented in a list item", () => {
    const page = ["<!-- docs-harness: project -->", "1. Step:", "   ```sh run", "   pulumi up", "   ```"].join("\n");
    expect(parseDocPage(page)).toEqual({ project: true, blocks: [{ line: 3, kind: "run", text: "pulumi up\n" }] });
  });

  it("refuses a fence that is never closed, naming its line", () => {
    expect(() => parseDocPage("text\n```sh run\necho\n")).toThrow("line 2: the fence opened here is never closed");
  });

  it("finds the README's and getting started's marked blocks", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const root = path.resolve(__dirname, "..", "..");
    for (const file of ["README.md", "docs/getting-started.md"]) {
      const page = parseDocPage(readFileSync(path.join(root, file), "utf8"));
      expect(page.blocks.filter((b) => b.kind === "run").length).toBeGreaterThan(1);
      expect(page.blocks.some((b) => b.kind === "file" && b.file === "index.ts")).toBe(true);
    }
  });
});
