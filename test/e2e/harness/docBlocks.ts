// The fenced blocks of a documentation page that the docs harness acts on (test/e2e/docs-commands.test.ts).
//
// The convention (CONTRIBUTING.md, "Documentation that runs"): the info string of a fence says what the block is.
//   ```sh run            a shell block the harness runs, in the page's order, in one shell session per page
//   ```ts file=index.ts  a file the reader is told to create: the harness writes the block's text there
//                        (relative to the session's current directory) when its turn comes
//   ```sh                anything else is illustrative: shown, never run
// A page opts into a prepared project with the comment `<!-- docs-harness: project -->` (see the test).

/** One block the harness acts on. */
export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  kind: "run" | "file";
  /** For `file` blocks: the path to write. */
  file?: string;
  /** The block's text, with a final newline. */
  text: string;
}

export interface DocPage {
  blocks: DocBlock[];
  /** The page asked for a prepared project (`<!-- docs-harness: project -->`). */
  project: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;

/** Parses a page: the blocks marked `run` or `file=PATH`, in order. Unterminated fences are an error. */
export function parseDocPage(markdown: string): DocPage {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  let project = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    if (/^<!--\s*docs-harness:\s*project\s*-->\s*$/.test(raw)) project = true;
    const open = FENCE.exec(raw);
    if (open === null) continue;
    const indent = open[1] ?? "";
    const fence = open[2] ?? "```";
    const attrs = (open[4] ?? "").split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? "";
      if (l.trim().startsWith(fence[0]!.repeat(fence.length)) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l);
    }
    if (j >= lines.length) throw new Error(`line ${i + 1}: the fence opened here is never closed`);
    const text = body.join("\n") + "\n";
    const file = attrs.find((a) => a.startsWith("file="))?.slice("file=".length);
    if (attrs.includes("run")) blocks.push({ line: i + 1, kind: "run", text });
    else if (file !== undefined && file !== "") blocks.push({ line: i + 1, kind: "file", file, text });
    i = j;
  }
  return { blocks, project };
}
