// Formats generated files with prettier, in-process, with prettier's defaults: the exported project has no
// prettier config, so `prettier --check` in it uses the same defaults.

/** The subset of prettier's API used here (prettier is loaded on demand: only the exporter needs it). */
interface Prettier {
  format(source: string, options: { filepath: string }): Promise<string>;
}

let loaded: Promise<Prettier> | undefined;

function prettier(): Promise<Prettier> {
  loaded ??= import("prettier").then((m) => m as Prettier);
  return loaded;
}

/** `source` formatted as the file `filepath` (the extension picks the parser). */
export async function formatFile(filepath: string, source: string): Promise<string> {
  let p: Prettier;
  try {
    p = await prettier();
  } catch (e) {
    throw new Error(
      `jobrouter-export: cannot load prettier to format ${filepath} (${e instanceof Error ? e.message : String(e)}); install it next to pulumi-jobrouter`,
      { cause: e },
    );
  }
  return p.format(source, { filepath });
}
