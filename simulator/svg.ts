// A small bar chart of service level per queue, before and after side by side, with each queue's cancelled callers
// under its bars (a queue whose callers are cancelled must not look healthy). A queue with no callers shows "n/a", not
// a bar. No target line: the simulator knows no target (the policy pack owns thresholds). Plain SVG, deterministic.

import type { SimulationReport } from "./report";

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderSvg(report: SimulationReport): string {
  const a = report.after;
  const b = report.before;
  const ids = [...new Set([...Object.keys(b?.queues ?? {}), ...Object.keys(a.queues)])].sort();
  const barW = 18;
  const groupW = b ? barW * 2 + 24 : barW + 24;
  const left = 40;
  const top = 24;
  const h = 160;
  const width = left + Math.max(1, ids.length) * groupW + 130;
  const height = top + h + 76;
  const y = (sl: number): number => top + h - sl * h;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<text x="${left}" y="14" font-size="12">Service level within ${a.serviceLevelSeconds} s per queue</text>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${left}" x2="${width - 130}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 4}" y="${y(t) + 4}" text-anchor="end">${Math.round(t * 100)}%</text>`);
  }
  ids.forEach((id, i) => {
    const x0 = left + i * groupW + 12;
    const bars: Array<[number | null | undefined, string]> = b
      ? [
          [b.queues[id]?.serviceLevel, "#9aa5b1"],
          [a.queues[id]?.serviceLevel, "#2563eb"],
        ]
      : [[a.queues[id]?.serviceLevel, "#2563eb"]];
    bars.forEach(([sl, color], k) => {
      if (sl === null || sl === undefined) {
        out.push(
          `<text x="${x0 + k * barW + barW / 2 - 1}" y="${y(0) - 4}" text-anchor="middle" font-size="9">n/a</text>`,
        );
        return;
      }
      const v = sl;
      out.push(
        `<rect x="${x0 + k * barW}" y="${y(v).toFixed(1)}" width="${barW - 2}" height="${(v * h).toFixed(1)}" fill="${color}"><title>${esc(id)}: ${(v * 100).toFixed(1)}%</title></rect>`,
      );
    });
    out.push(`<text x="${x0 + (bars.length * barW) / 2}" y="${top + h + 14}" text-anchor="middle">${esc(id)}</text>`);
    const cancelled = b
      ? `${b.queues[id]?.cancelled ?? 0} → ${a.queues[id]?.cancelled ?? 0}`
      : String(a.queues[id]?.cancelled ?? 0);
    const cx = x0 + (bars.length * barW) / 2;
    out.push(
      `<text x="${cx}" y="${top + h + 28}" text-anchor="middle" font-size="9" fill="#b91c1c">cancelled</text>`,
      `<text x="${cx}" y="${top + h + 39}" text-anchor="middle" font-size="9" fill="#b91c1c">${cancelled}</text>`,
    );
  });
  const lx = width - 120;
  if (b) {
    out.push(
      `<rect x="${lx}" y="${top}" width="10" height="10" fill="#9aa5b1"/><text x="${lx + 14}" y="${top + 9}">before</text>`,
    );
    out.push(
      `<rect x="${lx}" y="${top + 16}" width="10" height="10" fill="#2563eb"/><text x="${lx + 14}" y="${top + 25}">after</text>`,
    );
  } else {
    out.push(
      `<rect x="${lx}" y="${top}" width="10" height="10" fill="#2563eb"/><text x="${lx + 14}" y="${top + 9}">simulated</text>`,
    );
  }
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
