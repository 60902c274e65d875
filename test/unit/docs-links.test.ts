// Every relative link in the repository's Markdown resolves: the file or folder exists, and a `#fragment` names a
// heading of the target page (GitHub's anchor rules). External links (http:, mailto:) are not fetched.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const SKIP_DIRS = new Set(["node_modules", ".cache", "dist", ".git", "coverage"]);

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name) || entry.name.startsWith("dist.")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(full));
    else if (entry.name.endsWith(".md")) out.push(full);
  }
  return out;
}

/** GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to dashes; repeats get -N. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = fence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m?.[1]) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** `[text](target)` links outside code fences and inline code spans. */
function linksOf(markdown: string): string[] {
  const links: string[] = [];
  let fence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    if (fence) continue;
    const prose = line.replace(/`[^`]*`/g, "``");
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) if (m[1]) links.push(m[1]);
  }
  return links;
}

function problemsIn(file: string): string[] {
  const problems: string[] = [];
  const text = readFileSync(file, "utf8");
  for (const link of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
    const [target = "", fragment] = link.split("#", 2);
    const resolved = target === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
    const rel = path.relative(root, resolved);
    if (!existsSync(resolved)) {
      problems.push(`${path.relative(root, file)}: ${link} (no ${rel})`);
      continue;
    }
    if (fragment && statSync(resolved).isFile() && resolved.endsWith(".md")) {
      if (!anchorsOf(readFileSync(resolved, "utf8")).has(fragment)) {
        problems.push(`${path.relative(root, file)}: ${link} (no heading #${fragment} in ${rel})`);
      }
    }
  }
  return problems;
}

describe("Markdown links", () => {
  it("computes GitHub's anchors and finds links outside code", () => {
    expect([
      ...anchorsOf("# `ContactCenter`\n## Guardrails: the `x` pack\n```\n# not a heading\n```\n## Usage\n## Usage"),
    ]).toEqual(["contactcenter", "guardrails-the-x-pack", "usage", "usage-1"]);
    expect(linksOf("[a](b.md#c) `[x](y)` [d](https://e)\n```\n[f](g)\n```")).toEqual(["b.md#c", "https://e"]);
  });

  it("every relative link in the repository's Markdown resolves, anchors included", () => {
    const files = markdownFiles(root);
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(problemsIn)).toEqual([]);
  });

  it("the README stays a front door (under 250 lines) and links every page in docs/", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThan(250);
    const linked = new Set(linksOf(readme).map((l) => l.split("#")[0]));
    const pages = readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md"));
    expect(pages.filter((p) => !linked.has(`docs/${p}`))).toEqual([]);
  });
});
