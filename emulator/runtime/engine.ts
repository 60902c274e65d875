// The emulator's side of routing: the routing core (routing/core) runs every job, worker and offer transition; this
// adapter gives it the emulator's store (administration objects in, jobs and workers written through, so a
// file-backed store keeps them across restarts), ETags and Last-Modified, and Event Grid delivery of what it raises.

import type {
  ClassificationPolicy,
  DistributionPolicy,
  ExceptionPolicy,
  Labels,
  RouterQueue,
} from "../../provider/client/models";
import { ROUTER_JOB_FIELDS, ROUTER_WORKER_FIELDS } from "../../provider/client/models";
import { modernKinds } from "../../provider/client/validation";
import type { EtagFactory } from "../etag";
import { secondResolution } from "../etag";
import type { JsonObject } from "../http";
import { orderKeys } from "../mergePatch";
import type { NewRecord, Store, StoredRecord } from "../store";
import type { Clock } from "../../routing/clock";
import type { HttpCaller } from "../../routing/rules";
import {
  isActive,
  RoutingCore,
  type JobState as CoreJobState,
  type RoutingEvent,
  type RoutingHost,
  type RoutingPolicies,
  type WorkerState as CoreWorkerState,
} from "../../routing/core";
import { eventGridParts } from "./eventData";
import { buildEvent, EventFeed, WebhookDelivery } from "./events";

/** What the emulator keeps beside the core's state to answer as a store does: version, ETag suffix, times. */
interface RecordMeta {
  version: number;
  suffix: string;
  createdAt: string;
  lastModifiedMs: number;
}
export type JobState = CoreJobState & RecordMeta;
export type WorkerState = CoreWorkerState & RecordMeta;

export interface EngineOptions {
  store: Store;
  etags: EtagFactory;
  clock: Clock;
  http: HttpCaller;
  random: () => number;
  topic: string;
  eventWebhooks: readonly string[];
  webhookMaxAttempts?: number;
  webhookInitialBackoffMs?: number;
  log?: (message: string) => void;
}

function toJson(v: unknown): JsonObject {
  return JSON.parse(JSON.stringify(v)) as JsonObject;
}

/** Administration objects from the store, old kebab-case kinds under their 2023-11-01 names (the service acts on them). */
function storePolicies(store: Store): RoutingPolicies {
  const admin = <T>(collection: string, id: string | undefined): T | undefined => {
    if (!id) return undefined;
    const r = store.get(collection, id);
    return r ? modernKinds({ id: r.id, etag: r.etag, ...r.body } as unknown as T) : undefined;
  };
  return {
    queue: (id) => admin<RouterQueue>("queues", id),
    distributionPolicy: (id) => admin<DistributionPolicy>("distributionPolicies", id),
    classificationPolicy: (id) => admin<ClassificationPolicy>("classificationPolicies", id),
    exceptionPolicy: (id) => admin<ExceptionPolicy>("exceptionPolicies", id),
    queuesForClassification: () =>
      store.list("queues").map((r) => ({ id: r.id, labels: (r.body["labels"] ?? {}) as Labels })),
  };
}

export class RoutingEngine {
  readonly core: RoutingCore<JobState, WorkerState>;
  readonly feed = new EventFeed();
  readonly delivery: WebhookDelivery | undefined;
  readonly policies: RoutingPolicies;

  constructor(private readonly o: EngineOptions) {
    if (o.eventWebhooks.length > 0) {
      const opts: ConstructorParameters<typeof WebhookDelivery>[0] = {
        urls: o.eventWebhooks,
        http: o.http,
        clock: o.clock,
      };
      if (o.webhookMaxAttempts !== undefined) opts.maxAttempts = o.webhookMaxAttempts;
      if (o.webhookInitialBackoffMs !== undefined) opts.initialBackoffMs = o.webhookInitialBackoffMs;
      if (o.log) opts.onError = o.log;
      this.delivery = new WebhookDelivery(opts);
    }
    this.policies = storePolicies(o.store);
    const host: RoutingHost = {
      policies: this.policies,
      clock: o.clock,
      http: o.http,
      random: o.random,
      jobWritten: (j, changed) => this.putJob(j as JobState, changed),
      workerWritten: (w, changed) => this.putWorker(w as WorkerState, changed),
      jobDeleted: (j) => o.store.delete("jobs", j.id),
      workerDeleted: (w) => o.store.delete("workers", w.id),
      event: (e) => this.publish(e),
    };
    if (o.log) host.log = o.log;
    this.core = new RoutingCore<JobState, WorkerState>(host);
    this.load();
  }

  get jobs(): ReadonlyMap<string, JobState> {
    return this.core.jobs;
  }

  get workers(): ReadonlyMap<string, WorkerState> {
    return this.core.workers;
  }

  now(): number {
    return this.o.clock.now();
  }

  /**
   * Resolves when no routing work is pending; with `deliveries`, also when no event POST is in flight (HTTP answers
   * do not wait for event webhooks, tests may).
   */
  async idle(deliveries = true): Promise<void> {
    await this.core.idle();
    if (deliveries && this.delivery) {
      await this.delivery.idle();
      await this.core.idle();
    }
  }

  close(): void {
    this.core.close();
    this.delivery?.close();
  }

  private publish(e: RoutingEvent): void {
    const parts = eventGridParts(e, this.now(), (id) => this.policies.queue(id));
    const event = buildEvent(parts.name, parts.subject, parts.data, { nowMs: this.now(), topic: this.o.topic });
    this.feed.publish(event);
    this.delivery?.deliver(event);
  }

  // ------------------------------------------------------------ persistence

  private load(): void {
    const jobs: JobState[] = [];
    for (const r of this.o.store.list("jobs")) {
      const meta = (r.meta ?? {}) as Partial<JobState>;
      const s: JobState = {
        id: r.id,
        job: r.body as unknown as JobState["job"],
        version: meta.version ?? 0,
        suffix: meta.suffix ?? this.o.etags.newSuffix(),
        createdAt: r.createdAt,
        lastModifiedMs: Date.parse(r.lastModified),
        firedRules: meta.firedRules ?? [],
        unassignmentCount: meta.unassignmentCount ?? 0,
      };
      if (meta.enqueuedAtMs !== undefined) s.enqueuedAtMs = meta.enqueuedAtMs;
      if (meta.pendingClose) s.pendingClose = meta.pendingClose;
      jobs.push(s);
    }
    const workers: WorkerState[] = this.o.store.list("workers").map((r) => {
      const meta = (r.meta ?? {}) as Partial<WorkerState>;
      return {
        id: r.id,
        worker: r.body as unknown as WorkerState["worker"],
        version: meta.version ?? 0,
        suffix: meta.suffix ?? this.o.etags.newSuffix(),
        createdAt: r.createdAt,
        lastModifiedMs: Date.parse(r.lastModified),
        idleSinceMs: meta.idleSinceMs ?? this.now(),
        declines: meta.declines ?? {},
      };
    });
    this.core.restore(jobs, workers);
  }

  newEtagSuffix(): string {
    return this.o.etags.newSuffix();
  }

  /** Stored records of jobs or workers, in insertion order (for listing and paging). */
  records(collection: "jobs" | "workers"): StoredRecord[] {
    return this.o.store.list(collection);
  }

  jobRecord(j: JobState): StoredRecord | undefined {
    return this.o.store.get("jobs", j.id);
  }

  /** One worker's stored record (a single lookup: listing every worker to find one made registration quadratic). */
  workerRecord(id: string): StoredRecord | undefined {
    return this.o.store.get("workers", id);
  }

  /** A job a request changed: the core learns of it and it is stored (new ETag). Returns the stored copy. */
  saveJob(j: JobState): StoredRecord {
    this.core.writeJob(j);
    const r = this.jobRecord(j);
    if (!r) throw new Error(`job ${j.id} vanished from the store`);
    return r;
  }

  /** A worker a request changed (new ETag). */
  saveWorker(w: WorkerState): void {
    this.core.writeWorker(w);
  }

  private putJob(j: JobState, changed: boolean): void {
    if (changed) {
      j.version++;
      j.lastModifiedMs = this.now();
    }
    const meta: Record<string, unknown> = {
      version: j.version,
      suffix: j.suffix,
      firedRules: j.firedRules,
      unassignmentCount: j.unassignmentCount,
    };
    if (j.enqueuedAtMs !== undefined) meta.enqueuedAtMs = j.enqueuedAtMs;
    if (j.pendingClose) meta.pendingClose = j.pendingClose;
    this.store("jobs", {
      id: j.id,
      etag: this.o.etags.versioned(j.version, j.suffix),
      lastModified: secondResolution(new Date(j.lastModifiedMs)),
      createdAt: j.createdAt,
      body: orderKeys(toJson(j.job), ROUTER_JOB_FIELDS),
      meta: toJson(meta),
    });
  }

  private putWorker(w: WorkerState, changed: boolean): void {
    if (changed) {
      w.version++;
      w.lastModifiedMs = this.now();
    }
    this.store("workers", {
      id: w.id,
      etag: this.o.etags.versioned(w.version, w.suffix),
      lastModified: secondResolution(new Date(w.lastModifiedMs)),
      createdAt: w.createdAt,
      body: orderKeys(toJson(w.worker), ROUTER_WORKER_FIELDS),
      meta: toJson({ version: w.version, suffix: w.suffix, idleSinceMs: w.idleSinceMs, declines: w.declines }),
    });
  }

  /** Records are built fresh (toJson copies) and handed over: the store need not copy them again. */
  private store(collection: "jobs" | "workers", record: NewRecord): void {
    if (this.o.store.putOwned) this.o.store.putOwned(collection, record);
    else this.o.store.put(collection, record);
  }

  // ------------------------------------------------------------ references (refused admin deletes)

  referencesTo(collection: string, id: string): Array<{ code: string; message: string }> {
    const out: Array<{ code: string; message: string }> = [];
    const active = [...this.jobs.values()].filter((j) => isActive(j.job.status));
    if (collection === "classificationPolicies" && active.some((j) => j.job.classificationPolicyId === id)) {
      out.push({
        code: "ActiveJobWithClassificationPolicyExist",
        message: "There is active job with this classification policy",
      });
    }
    if (collection === "queues") {
      if (active.some((j) => j.job.queueId === id))
        out.push({ code: "ActiveJobWithQueueExist", message: "There is active job with this queue" });
      if ([...this.workers.values()].some((w) => (w.worker.queues ?? []).includes(id))) {
        out.push({ code: "AssignedWorkerWithQueueExist", message: "There is an assigned worker to this queue" });
      }
    }
    return out;
  }
}
