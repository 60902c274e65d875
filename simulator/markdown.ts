// The report as markdown for a pull-request comment: one row per queue, before → after with the change; the waiting
// figures; per priority class and arrival stream where a queue has several; worker occupancy; the callers whose queue
// or outcome changed. A figure with no caller behind it reads "n/a".

import * as path from "node:path";
import type { GroupOccupancy, QueueReport, QueueStats, Report, SimulationReport } from "./report";
import { statsOf } from "./stats";

type Unit = "pct" | "sec";
const fmt = (x: number | null, unit: Unit): string =>
  x === null ? "n/a" : unit === "pct" ? `${(x * 100).toFixed(1)}%` : `${x.toFixed(1)} s`;

function delta(before: number, after: number, unit: Unit): string {
  const d = after - before;
  if (Math.abs(d) < 1e-9) return "±0";
  const sign = d > 0 ? "+" : "−";
  return unit === "pct" ? `${sign}${Math.abs(d * 100).toFixed(1)} pt` : `${sign}${Math.abs(d).toFixed(1)} s`;
}

/** A column: its figure, and for a share of callers the number of callers behind it ("2.4% (28)"). */
interface Column {
  head: string;
  pick: (s: QueueStats) => number | null;
  unit: Unit;
  n?: (s: QueueStats) => number;
}

/** One figure: "x", or "x → y (change)" in a before/after report; no change is computed against n/a. */
function cell(c: Column, b: QueueStats | undefined, a: QueueStats): string {
  const show = (s: QueueStats): string => {
    const v = c.pick(s);
    return c.n && v !== null ? `${fmt(v, c.unit)} (${c.n(s)})` : fmt(v, c.unit);
  };
  if (b === undefined) return show(a);
  const vb = c.pick(b);
  const va = c.pick(a);
  if (vb === null || va === null) return `${show(b)} → ${show(a)}`;
  return `${show(b)} → ${show(a)} (${delta(vb, va, c.unit)})`;
}

function columns(r: Report): Column[] {
  return [
    ...r.serviceLevelThresholds.map((t): Column => ({
      head: `Service level (${t} s)`,
      pick: (s) => s.serviceLevels[String(t)] ?? null,
      unit: "pct",
    })),
    { head: "ASA", pick: (s) => s.asaSeconds, unit: "sec" },
    { head: "Wait p90", pick: (s) => s.waitP90Seconds, unit: "sec" },
    { head: "Abandoned", pick: (s) => s.abandonRate, unit: "pct", n: (s) => s.abandoned },
    { head: "Cancelled", pick: (s) => s.cancelRate, unit: "pct", n: (s) => s.cancelled },
  ];
}

const WAITING: Column[] = [
  { head: "Mean wait (all callers)", pick: (s) => s.meanWaitSeconds, unit: "sec" },
  { head: "P(wait > 0)", pick: (s) => s.waitProbability, unit: "pct" },
  { head: "Mean time to abandon", pick: (s) => s.meanAbandonSeconds, unit: "sec" },
];

interface Row {
  name: string;
  b: QueueStats | undefined;
  a: QueueStats;
}

function table(rows: Row[], cols: Column[], first: string, arrived: boolean): string[] {
  const heads = [first, ...(arrived ? ["Arrived"] : []), ...cols.map((c) => c.head)];
  const out = [`| ${heads.join(" | ")} |`, `| --- |${" ---: |".repeat(heads.length - 1)}`];
  for (const r of rows) {
    const cells = [
      r.name,
      ...(arrived ? [r.b ? `${r.b.arrived} → ${r.a.arrived}` : String(r.a.arrived)] : []),
      ...cols.map((c) => cell(c, r.b, r.a)),
    ];
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out;
}

/** The link to the chart as seen from the markdown file's folder (or from the current folder when printed). */
export function chartLink(svgFile: string, markdownFile?: string): string {
  const from = markdownFile && markdownFile !== "-" ? path.dirname(path.resolve(markdownFile)) : process.cwd();
  return path.relative(from, path.resolve(svgFile)).split(path.sep).join("/");
}

function breakdownRows(
  ids: string[],
  b: Report | undefined,
  a: Report,
  key: "byPriority" | "byStream",
  label: (k: string) => string,
): Row[] {
  const empty = statsOf([], a.serviceLevelThresholds);
  const rows: Row[] = [];
  for (const id of ids) {
    const qa: QueueReport | undefined = a.queues[id];
    const qb: QueueReport | undefined = b?.queues[id];
    const keys = [...new Set([...Object.keys(qb?.[key] ?? {}), ...Object.keys(qa?.[key] ?? {})])];
    if (keys.length === 0) continue;
    if (key === "byPriority") keys.sort((x, y) => Number(y) - Number(x));
    else keys.sort();
    for (const k of keys) {
      rows.push({
        name: `\`${id}\` · ${label(k)}`,
        b: b ? (qb?.[key]?.[k] ?? empty) : undefined,
        a: qa?.[key]?.[k] ?? empty,
      });
    }
  }
  return rows;
}

export interface MarkdownOptions {
  /** The chart's path as the markdown should link it (see chartLink). */
  svgPath?: string;
}

export function renderMarkdown(report: SimulationReport, opts: MarkdownOptions = {}): string {
  const a: Report = report.after;
  const b = report.before;
  const empty = statsOf([], a.serviceLevelThresholds);
  const lines: string[] = [];
  const thresholds = a.serviceLevelThresholds.map((t) => `${t} s`).join(", ");
  lines.push(`### Routing simulation${b ? ": before → after" : ""}`);
  lines.push("");
  lines.push(
    `Every caller who left a queue counts: answered, abandoned (hung up) or cancelled (by an exception rule, a failed ` +
      `classification, or never served). Service level = callers answered within ${thresholds} over all of them; ` +
      `abandoned and cancelled are shares of all of them. ${a.measuredSeconds} s measured; n/a = no caller behind the figure.`,
  );
  lines.push("");
  const ids = [...new Set([...Object.keys(b?.queues ?? {}), ...Object.keys(a.queues)])].sort();
  const rows: Row[] = ids.map((id) => ({
    name: `\`${id}\``,
    b: b ? (b.queues[id] ?? empty) : undefined,
    a: a.queues[id] ?? empty,
  }));
  rows.push({ name: "**all**", b: b?.totals, a: a.totals });
  lines.push(...table(rows, columns(a), "Queue", true));
  lines.push("");
  lines.push(...table(rows, WAITING, "Queue", false));
  const classes = [
    ...breakdownRows(ids, b, a, "byPriority", (k) => `priority ${k}`),
    ...breakdownRows(ids, b, a, "byStream", (k) => `stream ${k}`),
  ];
  if (classes.length > 0) {
    lines.push("");
    lines.push("Queues with several priority classes or arrival streams, per class and per stream:");
    lines.push("");
    lines.push(...table(classes, [...columns(a), ...WAITING], "Queue · class", true));
  }
  lines.push("");
  if (opts.svgPath) {
    lines.push(`![service level per queue](${opts.svgPath})`);
    lines.push("");
  }
  lines.push(...groupTable(b?.workerGroups, a.workerGroups));
  const d = a.differences;
  if (d) {
    lines.push("");
    const onlyQueue = d.queueChanged - d.bothChanged;
    const onlyOutcome = d.outcomeChanged - d.bothChanged;
    lines.push(
      `**${d.count}** measured callers end differently: ${onlyQueue} only in another queue, ${onlyOutcome} only with ` +
        `another outcome, ${d.bothChanged} with both.`,
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

function groupTable(
  before: Record<string, GroupOccupancy> | undefined,
  after: Record<string, GroupOccupancy>,
): string[] {
  const out = ["| Worker group | Workers | Occupancy |", "| --- | ---: | ---: |"];
  const groups = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort();
  for (const g of groups) {
    const ga = after[g];
    const gb = before?.[g];
    const occ =
      gb && ga
        ? `${fmt(gb.occupancy, "pct")} → ${fmt(ga.occupancy, "pct")} (${delta(gb.occupancy, ga.occupancy, "pct")})`
        : fmt(ga?.occupancy ?? gb?.occupancy ?? 0, "pct");
    out.push(`| \`${g}\` | ${ga?.workers ?? gb?.workers ?? 0} | ${occ} |`);
  }
  return out;
}
