// scripts/pulumi-plugins/exit-with-parent.js: a plugin process ends once the process that started it (the Pulumi
// CLI) is gone, after its SIGTERM handler has had the chance to stop its own children.

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRunning as alive } from "../../bench/procs";

const watchdog = path.join(__dirname, "..", "..", "scripts", "pulumi-plugins", "exit-with-parent.js");
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("plugin watchdog", () => {
  it("ends a plugin whose parent was SIGKILLed, running its SIGTERM handler first", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "jr-watchdog-"));
    dirs.push(dir);
    const marker = path.join(dir, "terminated");
    // The "plugin": a long-lived process that records SIGTERM (as the language host stops its program there).
    const plugin = `process.on("SIGTERM", () => { require("fs").writeFileSync(${JSON.stringify(marker)}, "SIGTERM"); process.exit(0); }); setInterval(() => {}, 1000);`;
    // The "CLI": starts the plugin as the launchers do (watchdog preloaded, its own pid in the environment), prints
    // the plugin's pid, and waits.
    const cli = `const c = require("child_process").spawn(process.execPath, ["-r", ${JSON.stringify(watchdog)}, "-e", ${JSON.stringify(plugin)}], { stdio: "ignore", env: { ...process.env, JOBROUTER_PLUGIN_PARENT_PID: String(process.pid) } }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", cli], { stdio: ["ignore", "pipe", "inherit"] });
    const pluginPid = await new Promise<number>((resolve) =>
      parent.stdout.once("data", (d) => resolve(Number(String(d)))),
    );
    expect(alive(pluginPid)).toBe(true);

    parent.kill("SIGKILL");
    // Bounded wait (the watchdog polls every 500 ms): a liveness check, not a speed assertion.
    for (let waited = 0; waited < 15_000 && alive(pluginPid); waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    const survived = alive(pluginPid);
    if (survived) process.kill(pluginPid, "SIGKILL");
    expect(survived).toBe(false);
    expect(await readFile(marker, "utf8")).toBe("SIGTERM");
  });

  it("ends a plugin at its first check when the parent it was given is already gone at start-up", async () => {
    // PID 1 never is a launcher's parent here; any pid that is not this process's parent stands for "already gone".
    const child = spawn(process.execPath, ["-r", watchdog, "-e", "setTimeout(() => process.exit(7), 20000)"], {
      stdio: "ignore",
      env: { ...process.env, JOBROUTER_PLUGIN_PARENT_PID: String(process.pid + 1_000_000) },
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, s) => resolve(s)));
    expect(signal).toBe("SIGTERM");
  });

  it("leaves a plugin alone while its parent lives", async () => {
    const child = spawn(process.execPath, ["-r", watchdog, "-e", "setTimeout(() => process.exit(7), 1500)"], {
      stdio: "ignore",
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(7); // it ran to its own end: the watchdog did not fire
  });
});
