// The benchmark's outputs: results.json (everything), results.md (the tables) and chart.svg (wall time of
// `pulumi up` next to the client, per N, plus request counts against the minimum), all written by hand.

import type { EngineBenchResult } from "./engine";
import type { RoutingBenchResult } from "./routing";
import type { LoadResult } from "./load";
import type { SimulationBenchResult } from "./simulation";

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  loadAverageAtStart: number[];
  memTotalBytes: number;
  node: string;
  pulumiCli: string;
  os: string;
}

export interface BenchResults {
  /** ISO time the run started. */
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineInfo;
  /** The CLI's --parallel (its default; not passed). */
  engineParallel: number;
  notes: string[];
  sizes: EngineBenchResult[];
  routing?: RoutingBenchResult;
  simulation?: SimulationBenchResult;
}

const s = (ms: number): string => (ms / 1000).toFixed(2);
const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(0);

export function markdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Run ${r.startedAt} → ${r.finishedAt}: \`${r.command}\``);
  lines.push("");
  lines.push(
    `Machine: ${r.machine.nproc} cores (${r.machine.cpuModel}), load average at start ${r.machine.loadAverageAtStart
      .map((x) => x.toFixed(2))
      .join(
        " / ",
      )}, Node ${r.machine.node}, Pulumi CLI ${r.machine.pulumiCli}, engine \`--parallel\` ${r.engineParallel} ` +
      "(the CLI default). The machine is shared with other work: wall times are noisy; compare ratios within one run.",
  );
  lines.push("");
  if (r.sizes.length > 0) {
    lines.push("### `pulumi up` creating N objects vs the client creating the same objects");
    lines.push("");
    lines.push(
      "| N | mix (EP/DP/Q/CP) | `pulumi up` (s) | client (s) | ratio | up requests (min N) | peak engine RSS (MiB) |",
    );
    lines.push("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
    for (const x of r.sizes) {
      const mix = [
        x.mix.exceptionPolicies,
        x.mix.distributionPolicies,
        x.mix.queues,
        x.mix.classificationPolicies,
      ].join("/");
      lines.push(
        `| ${x.n} | ${mix} | ${s(x.up.wallMs)} | ${s(x.client.wallMs)} | ${x.ratio.toFixed(1)}× | ${x.up.requests.sent} | ${mib(x.up.rss?.peakTotalBytes ?? 0)} |`,
      );
    }
    lines.push("");
    lines.push("### Requests sent to the service, against the minimum each operation needs");
    lines.push("");
    lines.push("| N | no-op preview (min 0) | up changing k (min k) | refresh (min N) | destroy (min N) |");
    lines.push("| ---: | ---: | ---: | ---: | ---: |");
    for (const x of r.sizes) {
      lines.push(
        `| ${x.n} | ${x.preview.requests.sent} | ${x.update.requests.sent} (k=${x.update.k}) | ${x.refresh.requests.sent} | ${x.destroy.requests.sent} |`,
      );
    }
    lines.push("");
    lines.push("### State size, wall time of the other operations, engine memory");
    lines.push("");
    lines.push(
      "| N | state bytes/object | `__provider` bytes/object | distinct `__provider` | preview (s) | update k (s) | refresh (s) | destroy (s) | peak RSS CLI / language host / providers (MiB) |",
    );
    lines.push("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const x of r.sizes) {
      const role = x.up.rss?.peakByRole;
      lines.push(
        `| ${x.n} | ${x.state.bytesPerObject.toFixed(0)} | ${x.state.providerBytesPerObject.toFixed(0)} | ${x.state.distinctProviders} | ${s(x.preview.wallMs)} | ${s(x.update.wallMs)} | ${s(x.refresh.wallMs)} | ${s(x.destroy.wallMs)} | ${role ? `${mib(role.cli)} / ${mib(role["language-host"])} / ${mib(role["dynamic-provider"])}` : "–"} |`,
      );
    }
    lines.push("");
  }
  const probed = r.sizes.filter((x) => x.upWithoutIntermediateCheckpoints);
  if (probed.length > 0) {
    lines.push("### Where the time of a large `pulumi up` goes: the state rewritten after every step");
    lines.push("");
    lines.push("| N | `pulumi up` (s) | same up, `PULUMI_SKIP_CHECKPOINTS=true` (s) | client (s) |");
    lines.push("| ---: | ---: | ---: | ---: |");
    for (const x of probed) {
      lines.push(
        `| ${x.n} | ${s(x.up.wallMs)} | ${s(x.upWithoutIntermediateCheckpoints?.wallMs ?? 0)} | ${s(x.client.wallMs)} |`,
      );
    }
    lines.push("");
  }
  if (r.routing) {
    const g = r.routing;
    lines.push(
      `### Emulator routing: ${g.workers} workers, ${g.jobs} jobs, ${g.accepting ? `workers accept their offers (${g.accepted} accepted)` : "offers left outstanding"}`,
    );
    lines.push("");
    lines.push(
      "| offered | offers/s | offer latency p50 / p90 / p99 / max (ms) | client PATCH p50 / p99 (ms) | submitters |",
    );
    lines.push("| ---: | ---: | ---: | ---: | ---: |");
    lines.push(
      `| ${g.offered} | ${g.offersPerSecond.toFixed(0)} | ${g.offerLatencyMs.p50.toFixed(1)} / ${g.offerLatencyMs.p90.toFixed(1)} / ${g.offerLatencyMs.p99.toFixed(1)} / ${g.offerLatencyMs.max.toFixed(1)} | ${g.client.p50Ms.toFixed(1)} / ${g.client.p99Ms.toFixed(1)} | ${g.parallel} |`,
    );
    lines.push("");
    if (g.floor && g.core) {
      const lat = (l: { p50: number; p90: number; p99: number; max: number }): string =>
        `${l.p50.toFixed(1)} / ${l.p90.toFixed(1)} / ${l.p99.toFixed(1)} / ${l.max.toFixed(1)}`;
      const cpuPerJob = (ms: number | undefined): string => (ms === undefined ? "–" : ms.toFixed(3));
      const busy = (l: LoadResult): number | undefined => (l.cpuMs === undefined ? undefined : l.cpuMs / l.wallMs);
      const pct = (x: number | undefined): string => (x === undefined ? "–" : `${(x * 100).toFixed(0)}%`);
      const coreCpu = g.core.offered > 0 ? g.core.wallMs / g.core.offered : undefined;
      lines.push(
        "| run | offers/s | ÷ floor | offer latency p50 / p90 / p99 / max (ms) | server CPU per job (ms) | load process busy |",
      );
      lines.push("| --- | ---: | ---: | ---: | ---: | ---: |");
      lines.push(
        `| emulator (HTTP, routing) | ${g.offersPerSecond.toFixed(0)} | ${g.ratio.toFixed(2)} | ${lat(g.offerLatencyMs)} | ${cpuPerJob(g.serverCpuMsPerJob)} | ${pct(busy(g.client))} |`,
      );
      lines.push(
        `| floor (HTTP, HMAC, JSON echo) | ${g.floor.offersPerSecond.toFixed(0)} | 1.00 | ${lat(g.floor.latencyMs)} | ${cpuPerJob(g.floor.serverCpuMsPerJob)} | ${pct(busy(g.floor.client))} |`,
      );
      lines.push(
        `| core alone (routing/Router, manual clock) | ${g.core.offersPerSecond.toFixed(0)} | – | ${lat(g.core.offerLatencyMs)} | ${cpuPerJob(coreCpu)} | – |`,
      );
      lines.push("");
      lines.push(
        "Same run, same load process and jobs. Latency: emulator, job received → first offer issued (events); floor, " +
          "request read → answer written (one PATCH is one offer's worth of HTTP); core, one `submitJob` call, which " +
          "issues the offer before it returns. Server CPU per job: the benchmark process's CPU time while the jobs " +
          "were submitted and routed, ÷ jobs (core alone: wall time ÷ offers). Load process busy: its CPU time ÷ its " +
          "wall time.",
      );
      const floorBusy = busy(g.floor.client);
      if (floorBusy !== undefined && floorBusy >= 0.9) {
        lines.push("");
        lines.push(
          `The load process was busy ${pct(floorBusy)} of the floor's run: the floor's offers/s is the load ` +
            "generator's limit on this machine, not the floor server's (see bench/README.md). Server CPU per job " +
            "compares the two servers without it.",
        );
      }
      lines.push("");
    }
  }
  if (r.simulation) {
    const m = r.simulation;
    lines.push("### Simulator (virtual time, routing core)");
    lines.push("");
    lines.push("| scenario | jobs | timer events | wall (s) | jobs/s | CPU (s) | jobs/CPU-s |");
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of [m.contactCenter, m.mmc, ...(m.simpy ? [m.simpy] : [])]) {
      lines.push(
        `| ${row.name} | ${row.jobs} | ${row.events || "–"} | ${row.seconds.toFixed(2)} | ${row.jobsPerSecond.toFixed(0)} | ${row.cpuSeconds.toFixed(2)} | ${row.jobsPerCpuSecond.toFixed(0)} |`,
      );
    }
    if (m.simpyError) lines.push(`\nSimPy comparison not run: ${m.simpyError}`);
    lines.push("");
  }
  for (const note of r.notes) lines.push(`- ${note}`);
  return `${lines.join("\n")}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Two panels: wall time (engine vs client) per N, and requests per operation against the minimum. */
export function chartSvg(r: BenchResults): string {
  const width = 760;
  const height = 340;
  const panelW = 340;
  const top = 40;
  const bottom = 280;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);

  const panel = (
    x0: number,
    title: string,
    groups: { label: string; bars: { value: number; color: string; text: string }[] }[],
    unit: string,
  ): void => {
    parts.push(`<text x="${x0 + panelW / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`);
    const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
    const plotH = bottom - top;
    parts.push(`<line x1="${x0 + 30}" y1="${bottom}" x2="${x0 + panelW}" y2="${bottom}" stroke="#333"/>`);
    parts.push(`<line x1="${x0 + 30}" y1="${top}" x2="${x0 + 30}" y2="${bottom}" stroke="#333"/>`);
    parts.push(
      `<text x="${x0 + 26}" y="${top + 4}" text-anchor="end">${escapeXml(max.toFixed(max < 10 ? 1 : 0))}</text>`,
    );
    parts.push(`<text x="${x0 + 26}" y="${bottom}" text-anchor="end">0</text>`);
    parts.push(`<text x="${x0 + 4}" y="${top - 8}">${escapeXml(unit)}</text>`);
    const groupW = (panelW - 40) / Math.max(1, groups.length);
    groups.forEach((g, gi) => {
      const gx = x0 + 36 + gi * groupW;
      const barW = Math.min(28, (groupW - 10) / Math.max(1, g.bars.length));
      g.bars.forEach((b, bi) => {
        const h = (b.value / max) * plotH;
        const bx = gx + bi * barW;
        parts.push(
          `<rect x="${bx.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color}"/>`,
        );
        parts.push(
          `<text x="${(bx + barW / 2).toFixed(1)}" y="${(bottom - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(b.text)}</text>`,
        );
      });
      parts.push(
        `<text x="${(gx + (barW * g.bars.length) / 2).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${escapeXml(g.label)}</text>`,
      );
    });
  };

  panel(
    10,
    "Creating N objects: pulumi up vs client",
    r.sizes.map((x) => ({
      label: `N=${x.n} (${x.ratio.toFixed(1)}×)`,
      bars: [
        { value: x.up.wallMs / 1000, color: "#5b6ee1", text: s(x.up.wallMs) },
        { value: x.client.wallMs / 1000, color: "#f29f05", text: s(x.client.wallMs) },
      ],
    })),
    "seconds",
  );
  const largest = r.sizes[r.sizes.length - 1];
  if (largest) {
    panel(
      400,
      `Requests per operation, N=${largest.n} (k=${largest.update.k})`,
      [
        ["preview", largest.preview.requests],
        ["up k", largest.update.requests],
        ["refresh", largest.refresh.requests],
        ["destroy", largest.destroy.requests],
        ["up N", largest.up.requests],
      ].map(([label, c]) => {
        const count = c as { sent: number; minimum: number };
        return {
          label: label as string,
          bars: [
            { value: count.sent, color: "#5b6ee1", text: String(count.sent) },
            { value: count.minimum, color: "#9bd48b", text: String(count.minimum) },
          ],
        };
      }),
      "requests",
    );
  }
  const legendY = height - 22;
  parts.push(`<rect x="20" y="${legendY}" width="10" height="10" fill="#5b6ee1"/>`);
  parts.push(`<text x="34" y="${legendY + 9}">pulumi (engine + providers)</text>`);
  parts.push(`<rect x="200" y="${legendY}" width="10" height="10" fill="#f29f05"/>`);
  parts.push(`<text x="214" y="${legendY + 9}">client, same parallelism</text>`);
  parts.push(`<rect x="420" y="${legendY}" width="10" height="10" fill="#9bd48b"/>`);
  parts.push(`<text x="434" y="${legendY + 9}">minimum needed</text>`);
  parts.push(
    `<text x="${width - 10}" y="${legendY + 9}" text-anchor="end" fill="#666">${escapeXml(`${r.machine.nproc} shared cores, ${r.startedAt.slice(0, 16)}Z`)}</text>`,
  );
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
