// Preloaded (`node -r`) into the plugin processes this project starts for the Pulumi CLI (the dynamic-provider host,
// the fallback language host): when the CLI that started the process is gone — killed with SIGKILL, say — the process
// is re-parented and this ends it. Without it, the plugins keep running after a killed `pulumi up`, holding gRPC
// ports and file handles until someone kills them by hand.
//
// The launcher (a sh script that execs node) passes the CLI's pid in JOBROUTER_PLUGIN_PARENT_PID, so a CLI that died
// while node was still starting is noticed too; without it, the parent at start-up is taken.
"use strict";

const given = Number(process.env.JOBROUTER_PLUGIN_PARENT_PID);
delete process.env.JOBROUTER_PLUGIN_PARENT_PID; // not for the processes this one starts
const parent = Number.isInteger(given) && given > 1 ? given : process.ppid;

function parentGone() {
  // Let the process stop what it started (its SIGTERM handler runs), then make sure it ends.
  process.kill(process.pid, "SIGTERM");
  setTimeout(() => process.exit(1), 2000).unref();
}

const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  parentGone();
}, 500);
timer.unref();
