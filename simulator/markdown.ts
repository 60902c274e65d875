// The report as markdown for a pull-request comment: one row per queue, before → after with the change, then worker
// occupancy and the callers whose queue or outcome changed.

import type { QueueStats, Report, SimulationReport } from "./report";

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const sec = (x: number): string => `${x.toFixed(1)} s`;

function delta(before: number, after: number, unit: "pct" | "sec"): string {
  const d = after - before;
  if (Math.abs(d) < 1e-9) return "±0";
  const sign = d > 0 ? "+" : "−";
  return unit === "pct" ? `${sign}${Math.abs(d * 100).toFixed(1)} pt` : `${sign}${Math.abs(d).toFixed(1)} s`;
}

function cell(b: number | undefined, a: number, unit: "pct" | "sec"): string {
  const f = unit === "pct" ? pct : sec;
  if (b === undefined) return f(a);
  return `${f(b)} → ${f(a)} (${delta(b, a, unit)})`;
}

function row(name: string, b: QueueStats | undefined, a: QueueStats): string {
  return `| ${name} | ${b ? `${b.arrived} → ` : ""}${a.arrived} | ${cell(b?.serviceLevel, a.serviceLevel, "pct")} | ${cell(
    b?.asaSeconds,
    a.asaSeconds,
    "sec",
  )} | ${cell(b?.waitP90Seconds, a.waitP90Seconds, "sec")} | ${cell(b?.abandonRate, a.abandonRate, "pct")} |`;
}

const EMPTY: QueueStats = {
  arrived: 0,
  answered: 0,
  abandoned: 0,
  cancelled: 0,
  serviceLevel: 1,
  asaSeconds: 0,
  waitP50Seconds: 0,
  waitP90Seconds: 0,
  abandonRate: 0,
};

export function renderMarkdown(report: SimulationReport, opts: { svgPath?: string } = {}): string {
  const a: Report = report.after;
  const b = report.before;
  const lines: string[] = [];
  lines.push(`### Routing simulation${b ? ": before → after" : ""}`);
  lines.push("");
  lines.push(
    `Service level = share of answered or abandoned callers answered within ${a.serviceLevelSeconds} s; ` +
      `${a.measuredSeconds} s measured.`,
  );
  lines.push("");
  lines.push("| Queue | Arrived | Service level | ASA | Wait p90 | Abandoned |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: |");
  const ids = [...new Set([...Object.keys(b?.queues ?? {}), ...Object.keys(a.queues)])].sort();
  for (const id of ids) lines.push(row(`\`${id}\``, b ? (b.queues[id] ?? EMPTY) : undefined, a.queues[id] ?? EMPTY));
  lines.push(row("**all**", b?.totals, a.totals));
  lines.push("");
  if (opts.svgPath) {
    lines.push(`![service level per queue](${opts.svgPath})`);
    lines.push("");
  }
  lines.push("| Worker group | Workers | Occupancy |");
  lines.push("| --- | ---: | ---: |");
  const groups = [...new Set([...Object.keys(b?.workerGroups ?? {}), ...Object.keys(a.workerGroups)])].sort();
  for (const g of groups) {
    const ga = a.workerGroups[g];
    const gb = b?.workerGroups[g];
    const occ = gb && ga ? cell(gb.occupancy, ga.occupancy, "pct") : pct(ga?.occupancy ?? gb?.occupancy ?? 0);
    lines.push(`| \`${g}\` | ${ga?.workers ?? gb?.workers ?? 0} | ${occ} |`);
  }
  const d = a.differences;
  if (d) {
    lines.push("");
    lines.push(
      `**${d.count}** measured callers end differently (${d.queueChanged} in another queue, ${d.outcomeChanged} with another outcome).`,
    );
    if (d.examples.length > 0) {
      lines.push("");
      lines.push("| Job | Before | After |");
      lines.push("| --- | --- | --- |");
      for (const e of d.examples) {
        lines.push(
          `| ${e.jobId} | ${e.before.queueId}: ${e.before.outcome} | ${e.after.queueId}: ${e.after.outcome} |`,
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
