// One simulation: a routing configuration against traffic, in virtual time. Callers arrive (Poisson streams), the
// routing core classifies, queues and offers them, simulated workers answer offers and handle jobs, callers whose
// wait exceeds their patience hang up. The run ends when every caller who arrived before durationSeconds is done.

import type { Labels } from "../provider/client/models";
import { Router, type RouterEvent } from "../routing/router";
import type { RoutingConfig } from "../routing/config";
import { VirtualClock } from "./clock";
import { Rng, sampleDuration } from "./random";
import type { ArrivalStream, Traffic, WorkerGroup } from "./scenario";

/** Epoch of virtual time: midnight, so hour h of ratePerHourByHour is the run's h-th hour. */
export const SIM_EPOCH_MS = Date.UTC(2024, 0, 1);

export type Outcome = "answered" | "abandoned" | "cancelled";

export interface JobRecord {
  id: string;
  stream: number;
  arrivedAtS: number;
  /** The queue the job was last queued in ("(unclassified)" when it never was). */
  queueId: string;
  outcome: Outcome | undefined;
  /** Seconds from arrival to assignment (answered), hanging up (abandoned) or cancellation (cancelled). */
  waitS: number | undefined;
  handleS: number;
  patienceS: number;
  /** The priority the job had when last queued (the stream's, or what classification or an exception gave it). */
  priority: number;
  /** Offers issued to workers, and how many of them expired unanswered. */
  offers: number;
  offersExpired: number;
}

export interface GroupUsage {
  idPrefix: string;
  workers: number;
  /** Capacity-seconds in use by assignments inside the measured window. */
  busy: number;
  /** Capacity-seconds staffed inside the measured window. */
  staffed: number;
}

export interface RunResult {
  jobs: JobRecord[];
  groups: GroupUsage[];
  /** Timers fired: the work the run did. */
  events: number;
  endS: number;
}

export const UNCLASSIFIED = "(unclassified)";
/** How long past durationSeconds a run may go on to let callers finish; those still waiting then count as cancelled. */
const DRAIN_LIMIT_S = 24 * 3600;

interface SimWorker {
  id: string;
  group: GroupUsage;
  capacity: number;
  used: number;
  staffed: boolean;
  lastS: number;
}

/** Arrival times of a (possibly hour-varying) Poisson stream, by thinning against the highest hourly rate. */
function* arrivalTimes(s: ArrivalStream, rng: Rng, durationS: number): Generator<number> {
  const byHour = s.ratePerHourByHour;
  const peak = byHour ? Math.max(...byHour) : (s.ratePerHour ?? 0);
  if (peak <= 0) return;
  const meanGap = 3600 / peak;
  let t = 0;
  for (;;) {
    t += rng.exponential(meanGap);
    if (t >= durationS) return;
    if (byHour) {
      const rate = byHour[Math.floor(t / 3600) % 24] ?? 0;
      if (rng.next() * peak >= rate) continue;
    }
    yield t;
  }
}

function pickLabels(s: ArrivalStream, rng: Rng): Labels {
  const base: Labels = { ...(s.labels ?? {}) };
  if (!s.labelMix) return base;
  const total = s.labelMix.reduce((sum, m) => sum + m.weight, 0);
  let r = rng.next() * total;
  for (const m of s.labelMix) {
    if (r < m.weight) return { ...base, ...m.labels };
    r -= m.weight;
  }
  const last = s.labelMix[s.labelMix.length - 1];
  return { ...base, ...(last?.labels ?? {}) };
}

export async function runSimulation(config: RoutingConfig, traffic: Traffic): Promise<RunResult> {
  const clock = new VirtualClock(SIM_EPOCH_MS);
  const durationS = traffic.durationSeconds;
  const warmupS = traffic.warmupSeconds ?? 0;
  const nowS = (): number => (clock.now() - SIM_EPOCH_MS) / 1000;
  const at = (s: number): number => SIM_EPOCH_MS + s * 1000;

  // Each caller's record and answer sequence (one map, not a second one for the sequences: a simulation looks
  // callers up on every event).
  const jobs = new Map<string, { r: JobRecord; answers: Rng | undefined }>();
  const order: JobRecord[] = [];
  const workers = new Map<string, SimWorker>();
  const groups: GroupUsage[] = [];
  const accept = traffic.workerBehaviour?.acceptSeconds;

  const decline = traffic.workerBehaviour?.declineProbability ?? 0;

  // Occupancy integrals are clipped to the measured window [warmup, duration].
  const account = (w: SimWorker): void => {
    const t = nowS();
    const from = Math.max(w.lastS, warmupS);
    const to = Math.min(t, durationS);
    if (to > from) {
      w.group.busy += (Math.min(w.used, w.capacity) / w.capacity) * (to - from) * w.capacity;
      if (w.staffed) w.group.staffed += (to - from) * w.capacity;
    }
    w.lastS = t;
  };

  const router = new Router({
    config,
    clock,
    random: (() => {
      const rng = new Rng(traffic.seed, "classification");
      return () => rng.next();
    })(),
    onEvent: (e: RouterEvent) => {
      switch (e.kind) {
        case "queued": {
          const r = jobs.get(e.jobId)?.r;
          if (r) {
            r.queueId = e.queueId;
            r.priority = e.priority;
          }
          return;
        }
        case "offerIssued": {
          const w = workers.get(e.workerId);
          const caller = jobs.get(e.jobId);
          const r = caller?.r;
          if (!w || !caller || !r) return;
          r.offers++;
          // The n-th offer of a caller is answered after the n-th draw of that caller's own answer sequence, whoever
          // gets it: a change that sends the caller to another worker does not change how fast offers are answered.
          let rng = caller.answers;
          if (!rng) caller.answers = rng = new Rng(traffic.seed, `answers:${r.id}`);
          const delay = accept ? sampleDuration(accept, rng) : 0;
          const declines = decline > 0 && rng.next() < decline;
          // The worker answers this offer: if it expired meanwhile, the answer does nothing (the job may already be
          // offered again, even to this worker, under another id).
          clock.setTimer(clock.now() + delay * 1000, () => {
            if (declines) router.declineOffer(e.offerId);
            else router.acceptOffer(e.offerId);
            return router.idle();
          });
          return;
        }
        case "offerExpired": {
          const r = jobs.get(e.jobId)?.r;
          if (r) r.offersExpired++;
          return;
        }
        case "assigned": {
          const r = jobs.get(e.jobId)?.r;
          const w = workers.get(e.workerId);
          if (r) {
            r.queueId = e.queueId;
            r.outcome = "answered";
            r.waitS = nowS() - r.arrivedAtS;
            clock.setTimer(clock.now() + r.handleS * 1000, () => {
              router.completeJob(e.jobId);
              return router.idle();
            });
          }
          if (w) {
            account(w);
            w.used += 1;
          }
          return;
        }
        case "completed": {
          const w = workers.get(e.workerId);
          if (w) {
            account(w);
            w.used -= 1;
          }
          return;
        }
        case "cancelled": {
          const r = jobs.get(e.jobId)?.r;
          if (r && r.outcome === undefined) {
            r.outcome = e.reason === "abandoned" ? "abandoned" : "cancelled";
            r.waitS = nowS() - r.arrivedAtS;
          }
          return;
        }
        case "classificationFailed": {
          const r = jobs.get(e.jobId)?.r;
          if (r && r.outcome === undefined) {
            r.outcome = "cancelled";
            r.waitS = nowS() - r.arrivedAtS;
          }
          return;
        }
        default:
          return;
      }
    },
  });

  traffic.workers.forEach((g: WorkerGroup) => {
    const usage: GroupUsage = { idPrefix: g.idPrefix, workers: g.count, busy: 0, staffed: 0 };
    groups.push(usage);
    const width = String(g.count).length;
    for (let i = 1; i <= g.count; i++) {
      const id = `${g.idPrefix}-${String(i).padStart(width, "0")}`;
      const start = g.shift?.startSeconds ?? 0;
      const end = g.shift?.endSeconds;
      const w: SimWorker = {
        id,
        group: usage,
        capacity: 1,
        used: 0,
        staffed: false,
        lastS: 0,
      };
      // Occupancy counts jobs against the number of jobs the worker could hold on its cheapest channel.
      const cheapest = Math.min(...g.channels.map((c) => c.capacityCostPerJob));
      w.capacity = Math.max(1, Math.floor(g.capacity / cheapest));
      workers.set(id, w);
      router.addWorker({
        id,
        queues: g.queues,
        labels: g.labels ?? {},
        capacity: g.capacity,
        channels: g.channels,
        available: false,
      });
      clock.setTimer(at(start), () => {
        account(w);
        w.staffed = true;
        router.setWorkerAvailable(id, true);
        return router.idle();
      });
      if (end !== undefined) {
        clock.setTimer(at(end), () => {
          account(w);
          w.staffed = false;
          router.setWorkerAvailable(id, false);
          return router.idle();
        });
      }
    }
  });

  traffic.arrivals.forEach((s, index) => {
    const rng = new Rng(traffic.seed, `arrivals:${index}`);
    const times = arrivalTimes(s, rng, durationS);
    let n = 0;
    const next = (): void => {
      const t = times.next();
      if (t.done) return;
      const arrivedAtS = t.value;
      // Every draw for this caller happens here, in a fixed order, whatever routing does later.
      const labels = pickLabels(s, rng);
      const handleS = sampleDuration(s.handleSeconds, rng);
      const patienceS = s.patienceSeconds ? sampleDuration(s.patienceSeconds, rng) : Infinity;
      const id = `a${index}-${++n}`;
      clock.setTimer(at(arrivedAtS), () => {
        const r: JobRecord = {
          id,
          stream: index,
          arrivedAtS,
          queueId: UNCLASSIFIED,
          outcome: undefined,
          waitS: undefined,
          handleS,
          patienceS,
          priority: s.priority ?? 1,
          offers: 0,
          offersExpired: 0,
        };
        jobs.set(id, { r, answers: undefined });
        order.push(r);
        next();
        if (Number.isFinite(patienceS)) {
          clock.setTimer(at(arrivedAtS + patienceS), () => {
            if (r.outcome === undefined) router.cancelJob(id, "abandoned");
            return router.idle();
          });
        }
        const input: Parameters<Router["submitJob"]>[0] = { id, channelId: s.channelId, labels };
        if (s.queueId !== undefined) input.queueId = s.queueId;
        if (s.classificationPolicyId !== undefined) input.classificationPolicyId = s.classificationPolicyId;
        if (s.priority !== undefined) input.priority = s.priority;
        if (s.requestedWorkerSelectors) input.requestedWorkerSelectors = s.requestedWorkerSelectors;
        return router.submitJob(input);
      });
    };
    next();
  });

  await clock.run(at(durationS + DRAIN_LIMIT_S));
  for (const w of workers.values()) account(w);
  for (const r of order) {
    // Still waiting when the drain limit was reached: cancelled, after waiting until then.
    if (r.outcome === undefined) {
      r.outcome = "cancelled";
      r.waitS = nowS() - r.arrivedAtS;
    }
  }
  return { jobs: order, groups, events: clock.fired, endS: nowS() };
}
