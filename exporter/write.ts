// Writes an export to a directory: every file via a temporary name and a rename, so a reader never sees half a file.

import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";

/** Refuses to write into a non-empty directory that holds other files than a previous export's. */
export async function writeProject(dir: string, files: Readonly<Record<string, string>>, force = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = await readdir(dir);
  const foreign = present.filter(
    (f) => !(f in files) && f !== "node_modules" && !f.startsWith("Pulumi.") && f !== "package-lock.json",
  );
  if (foreign.length > 0 && !force) {
    throw new Error(
      `--out ${dir}: the directory holds other files (${foreign.slice(0, 5).join(", ")}); choose an empty directory or pass --force`,
    );
  }
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(dir, name);
    const tmp = `${target}.tmp-${process.pid}`;
    await writeFile(tmp, content, "utf8");
    await rename(tmp, target);
  }
}
