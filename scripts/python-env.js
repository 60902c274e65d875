// The Python environment of the official-SDK tests: a virtual environment in .cache/python-venv with the pinned
// packages of test/python/requirements.txt installed from PyPI. Reused while its recorded requirements equal the
// file; rebuilt otherwise. The one prerequisite is python3 with its venv module (Debian: python3-venv).
//
//   node scripts/python-env.js      ensure it, then print the venv's python executable
//   require("./python-env").ensurePythonEnv()   the same from code (returns the path)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const requirementsFile = path.join(repoRoot, "test", "python", "requirements.txt");
const venvDir = path.join(repoRoot, ".cache", "python-venv");
const marker = path.join(venvDir, "requirements.installed.txt");
const venvPython = path.join(venvDir, process.platform === "win32" ? "Scripts/python.exe" : "bin/python");

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} what
 */
function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const detail = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`python-env: ${what} failed (${cmd} ${args.join(" ")})\n${detail}`);
  }
  return r.stdout;
}

/** The Python that creates the environment: $PYTHON, else python3 on PATH. */
function basePython() {
  const python = process.env.PYTHON || "python3";
  try {
    run(python, ["-c", "import venv, ensurepip"], "checking for python3 with venv");
  } catch (e) {
    throw new Error(
      `python-env: needs python3 with the venv module (set PYTHON to use another interpreter; on Debian/Ubuntu: ` +
        `apt-get install python3-venv)\n${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return python;
}

/** Ensure the environment and return its python executable. */
function ensurePythonEnv() {
  const wanted = fs.readFileSync(requirementsFile, "utf8");
  if (fs.existsSync(venvPython) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === wanted) {
    return venvPython;
  }
  // Stale or half-made (an interrupted install leaves no marker): start over.
  fs.rmSync(venvDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(venvDir), { recursive: true });
  run(basePython(), ["-m", "venv", venvDir], "creating the virtual environment");
  run(
    venvPython,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirementsFile],
    "installing test/python/requirements.txt from PyPI",
  );
  // Written last: its presence means the install completed.
  fs.writeFileSync(marker, wanted);
  return venvPython;
}

module.exports = { ensurePythonEnv, venvDir, venvPython, requirementsFile };

if (require.main === module) {
  try {
    process.stdout.write(`${ensurePythonEnv()}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
