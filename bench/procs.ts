// Resident memory of a process tree, sampled from /proc (Linux). The engine side of a deployment is several
// processes: the `pulumi` CLI (Go), the Node.js language host running the program, and one dynamic-provider host
// per provider; the tree under the CLI's pid holds them all (plus the `sh` wrappers in front of the plugins).

import { readdirSync, readFileSync } from "node:fs";

export interface ProcessSample {
  pid: number;
  ppid: number;
  /** What the process is, from its command line: cli, language-host, dynamic-provider, other. */
  role: ProcessRole;
  rssBytes: number;
}

export type ProcessRole = "cli" | "language-host" | "dynamic-provider" | "other";

const PAGE_BYTES = 4096;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** ppid and rss of one process from /proc/<pid>/stat (fields 4 and 24; the name in parentheses may hold spaces). */
function statOf(pid: number): { ppid: number; rssBytes: number } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  const rssPages = Number(fields[21]);
  if (!Number.isFinite(ppid) || !Number.isFinite(rssPages)) return undefined;
  return { ppid, rssBytes: rssPages * PAGE_BYTES };
}

export function roleOf(pid: number): ProcessRole {
  const cmdline = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ");
  if (/dynamic-provider|pulumi-resource-pulumi-nodejs/.test(cmdline)) return "dynamic-provider";
  if (/language-host|pulumi-language-nodejs|cmd\/run\b|run-policy-pack/.test(cmdline)) return "language-host";
  if (/(^|\/)pulumi( |$)/.test(cmdline)) return "cli";
  return "other";
}

/** Every live process whose ancestry reaches `root` (root included). */
export function processTree(root: number): ProcessSample[] {
  const parents = new Map<number, { ppid: number; rssBytes: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const s = statOf(pid);
    if (s) parents.set(pid, s);
  }
  const inTree = new Set<number>([root]);
  // Parents usually have lower pids, but pids wrap: iterate to a fixed point.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, s] of parents) {
      if (!inTree.has(pid) && inTree.has(s.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const out: ProcessSample[] = [];
  for (const pid of inTree) {
    const s = parents.get(pid);
    if (s) out.push({ pid, ppid: s.ppid, role: roleOf(pid), rssBytes: s.rssBytes });
  }
  return out;
}

export interface RssPeak {
  /** Largest sum of RSS over the tree seen in one sample. */
  peakTotalBytes: number;
  /** Largest RSS seen per role (summed over processes of that role within a sample). */
  peakByRole: Record<ProcessRole, number>;
  /** Most processes seen at once. */
  peakProcesses: number;
  samples: number;
}

/** Samples the tree under `root` every `intervalMs` until stop() is called. */
export function sampleRss(root: number, intervalMs = 100): { stop(): RssPeak } {
  const peak: RssPeak = {
    peakTotalBytes: 0,
    peakByRole: { cli: 0, "language-host": 0, "dynamic-provider": 0, other: 0 },
    peakProcesses: 0,
    samples: 0,
  };
  const tick = (): void => {
    const tree = processTree(root);
    if (tree.length === 0) return;
    const byRole: Record<ProcessRole, number> = { cli: 0, "language-host": 0, "dynamic-provider": 0, other: 0 };
    let total = 0;
    for (const p of tree) {
      total += p.rssBytes;
      byRole[p.role] += p.rssBytes;
    }
    peak.samples += 1;
    peak.peakTotalBytes = Math.max(peak.peakTotalBytes, total);
    peak.peakProcesses = Math.max(peak.peakProcesses, tree.length);
    for (const role of Object.keys(byRole) as ProcessRole[]) {
      peak.peakByRole[role] = Math.max(peak.peakByRole[role], byRole[role]);
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Running, not merely a zombie: an exited process stays in the table until its new parent (here PID 1) reaps it. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): the signal check stands
  }
}
