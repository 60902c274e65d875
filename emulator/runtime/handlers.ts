// HTTP surface of the runtime: jobs, workers, offers, queue position and statistics (facts §2.2,
// §2.3), with the `:` action syntax (`/routing/jobs/{id}:cancel`).
//
// Shapes follow the recordings: server additions on create (`requestedWorkerSelectors: []`,
// `attachedWorkerSelectors: []`, `assignments: {}`, `tags: {}`, `notes: []` on jobs; the `Id` label,
// `tags: {}`, `offers: []`, `assignedJobs: []`, `loadRatio: 0` on workers), `priority: null` resetting
// to 1, version-counter ETags that also move when routing changes an object, and action answers of
// `{}`.

import type {
  Labels,
  Primitive,
  RouterJobNote,
  RouterJobStatusSelector,
  RouterWorkerSelectorInput,
} from "../../provider/client/models";
import type { ErrorFactory } from "../errors";
import type { EmulatorRequest, EmulatorResponse, JsonObject, JsonValue } from "../http";
import { isJsonObject, mergePatch } from "../mergePatch";
import { checkPreconditions, objectResponse, pageOf, parsePageRequest } from "../resource";
import type { StoredRecord } from "../store";
import { formatServiceTime, parseDateTime } from "../../routing/clock";
import { isActive, RoutingFailure, scheduleAtOf, type JobBody, type WorkerBody } from "../../routing/core";
import type { JobState, RoutingEngine, WorkerState } from "./engine";
import { materializeSelector } from "../../routing/selectors";
import { isObject, validateActionBody, validateJob, validateWorker, type FieldError } from "./validate";

const JOB_STATUSES: readonly string[] = [
  "pendingClassification",
  "queued",
  "assigned",
  "completed",
  "closed",
  "cancelled",
  "classificationFailed",
  "created",
  "pendingSchedule",
  "scheduled",
  "scheduleFailed",
  "waitingForActivation",
];
const JOB_WRITABLE = [
  "channelReference",
  "channelId",
  "classificationPolicyId",
  "queueId",
  "priority",
  "dispositionCode",
  "requestedWorkerSelectors",
  "labels",
  "tags",
  "notes",
  "matchingMode",
] as const;
const WORKER_WRITABLE = ["queues", "capacity", "labels", "tags", "channels", "availableForOffers"] as const;

export interface RuntimeHandlerDeps {
  engine: RoutingEngine;
  errors: ErrorFactory;
  /** Wait for routing to settle before answering (default true): HTTP-only clients see settled state next. */
  settleBeforeResponse: boolean;
}

function fieldErrors(errors: ErrorFactory, target: string, list: FieldError[]): EmulatorResponse {
  return errors.badRequest(
    target,
    list.map((e) => ({ code: "InvalidRequestBody", message: e.message, target: e.path })),
  );
}

function failure(errors: ErrorFactory, target: string, f: RoutingFailure): EmulatorResponse {
  if (f.kind === "notFound") return errors.notFound(target, f.details[0]?.message);
  if (f.kind === "conflict")
    return errors.conflict(
      target,
      f.details.map((d) => d.message),
    );
  return errors.badRequest(target, f.details);
}

/** Split `id:action` when the action is one we know; otherwise the whole segment is an id. */
function splitAction(segment: string, actions: readonly string[]): { id: string; action?: string } {
  const i = segment.lastIndexOf(":");
  if (i > 0) {
    const action = segment.slice(i + 1);
    if (actions.includes(action)) return { id: segment.slice(0, i), action };
  }
  return { id: segment };
}

function pickWritable(patch: JsonObject, keys: readonly string[]): JsonObject {
  // Read-only fields (status, enqueuedAt, assignments, offers, …) and stray `id`/`etag` are ignored, as
  // the service ignored the `id` the SDK tests sent in bodies [rec].
  const out: JsonObject = {};
  for (const k of keys) if (k in patch) out[k] = patch[k] as JsonValue;
  return out;
}

export function createRuntimeHandler(deps: RuntimeHandlerDeps) {
  const { engine, errors } = deps;
  const core = engine.core;

  async function settle(): Promise<void> {
    if (deps.settleBeforeResponse) await engine.idle(false);
  }

  // ---------------------------------------------------------------- jobs

  async function upsertJob(req: EmulatorRequest, id: string): Promise<EmulatorResponse> {
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (contentType !== "" && contentType !== "application/merge-patch+json" && contentType !== "application/json") {
      return errors.invalidBody(req.path, `Content-Type must be application/merge-patch+json (got ${contentType})`);
    }
    if (!isJsonObject(req.body)) return errors.invalidBody(req.path, "body: must be a JSON object");
    const existing = engine.jobs.get(id);
    const pre = checkPreconditions(req, existing ? engine.jobRecord(existing) : undefined, errors);
    if (pre) return pre;
    const patch = pickWritable(req.body, JOB_WRITABLE);
    const now = engine.now();
    const before: JobBody | undefined = existing ? structuredClone(existing.job) : undefined;
    const merged = mergePatch((before ?? {}) as unknown as JsonValue, patch) as JsonObject;
    // Arrays are replaced wholesale by merge patch, so `null` inside them is an error, not a removal.
    const problems = validateJob(merged, !existing);
    if (problems.length > 0) return fieldErrors(errors, req.path, problems);
    const body = merged as unknown as JobBody;
    // [rec] `"priority": null` resets the priority to 1 rather than removing it
    if (body.priority === undefined) body.priority = 1;
    if (patch.requestedWorkerSelectors !== undefined) {
      body.requestedWorkerSelectors = (
        (patch.requestedWorkerSelectors ?? []) as unknown as RouterWorkerSelectorInput[]
      ).map((s) => {
        // Selectors sent back unchanged keep their original expiry.
        const old = (before?.requestedWorkerSelectors ?? []).find(
          (o) =>
            o.key === s.key &&
            o.labelOperator === s.labelOperator &&
            o.value === s.value &&
            o.expiresAfterSeconds === s.expiresAfterSeconds,
        );
        return old ?? materializeSelector(s, now);
      });
    }
    if (patch.notes !== undefined) {
      body.notes = ((patch.notes ?? []) as unknown as RouterJobNote[]).map((n) => ({
        message: n.message,
        addedAt: n.addedAt ?? formatServiceTime(now),
      }));
    }
    for (const [key, ref, coll] of [
      ["queueId", body.queueId, "queues"],
      ["classificationPolicyId", body.classificationPolicyId, "classificationPolicies"],
    ] as const) {
      const changed = !before || before[key] !== ref;
      const exists = coll === "queues" ? engine.policies.queue(ref) : engine.policies.classificationPolicy(ref);
      if (ref !== undefined && changed && !exists) {
        // [guess: the service checks references it must route with; status and code unknown]
        return errors.badRequest(req.path, [
          {
            code: "InvalidRequestBody",
            message: `${key}: ${coll === "queues" ? "queue" : "classification policy"} ${ref} does not exist`,
            target: key,
          },
        ]);
      }
    }

    if (!existing) {
      body.requestedWorkerSelectors ??= [];
      body.attachedWorkerSelectors = [];
      body.labels ??= {};
      body.assignments = {};
      body.tags ??= {};
      body.notes ??= [];
      body.matchingMode ??= { kind: "queueAndMatch" };
      body.status = core.initialStatus(body);
      const j: JobState = {
        id,
        job: body,
        version: -1,
        suffix: engine.newEtagSuffix(),
        createdAt: new Date(now).toISOString(),
        lastModifiedMs: now,
        firedRules: [],
        unassignmentCount: 0,
      };
      // The answer is the job as created, before any routing: a classified job reads pendingClassification [rec],
      // a direct-queue job "created" [rec: Python SDK, 2023-11-01]; a later GET shows it queued.
      core.addJob(j);
      const record = engine.jobRecord(j);
      if (!record) throw new Error(`job ${id} vanished from the store`);
      core.startNewJob(j);
      await settle();
      return objectResponse(record, 201);
    }

    // Update of an existing job.
    if (!(patch.tags === undefined) && patch.tags === null) body.tags = {};
    if (patch.labels === null) body.labels = {};
    existing.job = body;
    const saved = engine.saveJob(existing);
    // What the change asks of routing (activation, suspension, reclassification, a new queue) is the core's.
    core.jobUpdated(existing, before ?? {});
    // The answer is the job as this update left it: after the update's own steps (queued, reclassification started,
    // suspended), before the routing work they handed to the work queue (classification, matching). So a scheduled
    // job switched to queueAndMatch answers "queued" [rec: Java RouterJobLiveTests.jobScheduling #3, .NET
    // SchedulingScenario.SimpleSchedulingScenario #16] (pendingClassification with a policy), and a queued job with new
    // labels and a classification policy answers "pendingClassification" [rec: Python SDK test_update_job_w_cp].
    const record = engine.jobRecord(existing) ?? saved;
    await settle();
    return objectResponse(record, 200);
  }

  function getJob(req: EmulatorRequest, id: string): EmulatorResponse {
    const j = engine.jobs.get(id);
    const record = j && engine.jobRecord(j);
    if (!record) return errors.notFound(req.path, `Job ${id} does not exist.`);
    return objectResponse(record);
  }

  function listJobs(req: EmulatorRequest): EmulatorResponse {
    const page = parsePageRequest(req, errors);
    if ("status" in page) return page;
    const q = req.query;
    const status = (q["status"] ?? "all") as RouterJobStatusSelector;
    if (status !== "all" && status !== "active" && !JOB_STATUSES.includes(status)) {
      return errors.badRequest(req.path, [
        {
          code: "InvalidQueryParameter",
          message: `status: must be one of all, active, ${JOB_STATUSES.join(", ")} (got ${JSON.stringify(status)})`,
        },
      ]);
    }
    const before = q["scheduledBefore"] !== undefined ? parseDateTime(q["scheduledBefore"]) : undefined;
    const after = q["scheduledAfter"] !== undefined ? parseDateTime(q["scheduledAfter"]) : undefined;
    if (
      (q["scheduledBefore"] !== undefined && before === undefined) ||
      (q["scheduledAfter"] !== undefined && after === undefined)
    ) {
      return errors.badRequest(req.path, [
        { code: "InvalidQueryParameter", message: "scheduledBefore/scheduledAfter: must be RFC 3339 date-times" },
      ]);
    }
    const records = engine.records("jobs").filter((r) => {
      const b = r.body as unknown as JobBody;
      if (status === "active" ? !isActive(b.status) : status !== "all" && b.status !== status) return false;
      if (q["queueId"] !== undefined && b.queueId !== q["queueId"]) return false;
      if (q["channelId"] !== undefined && b.channelId !== q["channelId"]) return false;
      if (q["classificationPolicyId"] !== undefined && b.classificationPolicyId !== q["classificationPolicyId"])
        return false;
      if (before !== undefined || after !== undefined) {
        // [spec] inclusive bounds on the scheduled time; jobs that are not scheduled never match. [guess: the bounds
        // apply to the requested time (matchingMode.scheduleAt): scheduledAt is when the job became scheduled [rec]]
        const requested = b.scheduledAt !== undefined ? scheduleAtOf(b) : undefined;
        const at = requested !== undefined ? Date.parse(requested) : Number.NaN;
        if (Number.isNaN(at)) return false;
        if (before !== undefined && at > before) return false;
        if (after !== undefined && at < after) return false;
      }
      return true;
    });
    return pageOf(req, records, page);
  }

  function jobOr404(req: EmulatorRequest, id: string): JobState | EmulatorResponse {
    return engine.jobs.get(id) ?? errors.notFound(req.path, `Job ${id} does not exist.`);
  }

  async function jobAction(req: EmulatorRequest, id: string, action: string): Promise<EmulatorResponse> {
    const j = jobOr404(req, id);
    if (!("job" in j)) return j;
    const b = isObject(req.body) ? req.body : {};
    if (action === "cancel") {
      const problems = validateActionBody(req.body, { note: "string", dispositionCode: "string" });
      if (problems.length > 0) return fieldErrors(errors, req.path, problems);
      core.cancelJob(j, {
        note: b.note as string | undefined,
        dispositionCode: b.dispositionCode as string | undefined,
      });
    } else {
      core.reclassifyJob(j);
    }
    await settle();
    return { status: 200, body: {} };
  }

  async function assignmentAction(
    req: EmulatorRequest,
    jobId: string,
    assignmentId: string,
    action: string,
  ): Promise<EmulatorResponse> {
    const j = jobOr404(req, jobId);
    if (!("job" in j)) return j;
    const b = isObject(req.body) ? req.body : {};
    let answer: unknown = {};
    if (action === "complete") {
      const problems = validateActionBody(req.body, { note: "string" });
      if (problems.length > 0) return fieldErrors(errors, req.path, problems);
      core.completeJob(j, assignmentId, b.note as string | undefined);
    } else if (action === "close") {
      const problems = validateActionBody(req.body, { dispositionCode: "string", closeAt: "dateTime", note: "string" });
      if (problems.length > 0) return fieldErrors(errors, req.path, problems);
      core.closeJob(j, assignmentId, {
        dispositionCode: b.dispositionCode as string | undefined,
        closeAt: parseDateTime(b.closeAt),
        note: b.note as string | undefined,
      });
    } else {
      const problems = validateActionBody(req.body, { suspendMatching: "boolean" });
      if (problems.length > 0) return fieldErrors(errors, req.path, problems);
      answer = core.unassignJob(j, assignmentId, b.suspendMatching === true);
    }
    await settle();
    return { status: 200, body: answer };
  }

  function position(req: EmulatorRequest, id: string): EmulatorResponse {
    const j = jobOr404(req, id);
    if (!("job" in j)) return j;
    if (j.job.status !== "queued" || !j.job.queueId) {
      // [guess: the service's answer for a job that is not in a queue is not recorded]
      return errors.badRequest(req.path, [
        {
          code: "InvalidJobStatus",
          message: `job ${id} is ${j.job.status ?? "unknown"}, not queued; it has no queue position`,
        },
      ]);
    }
    const queued = core.queuedJobs(j.job.queueId);
    // [rec] estimatedWaitTimeMinutes is absent from the real answer
    return {
      status: 200,
      body: {
        jobId: id,
        position: queued.findIndex((x) => x.id === id) + 1,
        queueId: j.job.queueId,
        queueLength: queued.length,
      },
    };
  }

  function statistics(req: EmulatorRequest, queueId: string): EmulatorResponse {
    if (!engine.policies.queue(queueId)) return errors.notFound(req.path, `Queue ${queueId} does not exist.`);
    const queued = core.queuedJobs(queueId);
    const body: Record<string, unknown> = { queueId, length: queued.length };
    if (queued.length > 0) {
      const oldest = Math.min(...queued.map((j) => j.enqueuedAtMs ?? engine.now()));
      body.longestJobWaitTimeMinutes = Math.max(0, (engine.now() - oldest) / 60_000);
    }
    return { status: 200, body };
  }

  // ---------------------------------------------------------------- workers

  async function upsertWorker(req: EmulatorRequest, id: string): Promise<EmulatorResponse> {
    if (!isJsonObject(req.body)) return errors.invalidBody(req.path, "body: must be a JSON object");
    const existing = engine.workers.get(id);
    const pre = checkPreconditions(req, existing ? engine.workerRecord(id) : undefined, errors);
    if (pre) return pre;
    const patch = pickWritable(req.body, WORKER_WRITABLE);
    const before: WorkerBody | undefined = existing ? structuredClone(existing.worker) : undefined;
    const merged = mergePatch((before ?? {}) as unknown as JsonValue, patch) as JsonObject;
    const problems = validateWorker(merged);
    if (problems.length > 0) return fieldErrors(errors, req.path, problems);
    const body = merged as unknown as WorkerBody;
    // [rec] the server keeps an `Id` label equal to the worker id
    body.labels = { Id: id, ...(body.labels ?? {}) } as Labels;
    (body.labels as Record<string, Primitive>)["Id"] = id;
    body.tags ??= {};
    body.queues ??= [];
    body.channels ??= [];
    body.availableForOffers ??= false;
    const now = engine.now();
    if (!existing) {
      body.state = "inactive";
      body.offers = [];
      body.assignedJobs = [];
      body.loadRatio = 0;
      const w: WorkerState = {
        id,
        worker: body,
        version: -1,
        suffix: engine.newEtagSuffix(),
        createdAt: new Date(now).toISOString(),
        lastModifiedMs: now,
        idleSinceMs: now,
        declines: {},
      };
      core.addWorker(w);
      core.afterWorkerUpsert(w, undefined, true);
      const record = workerRecord(id);
      await settle();
      return objectResponse(record, 201);
    }
    body.state = before?.state ?? "inactive";
    body.offers = before?.offers ?? [];
    body.assignedJobs = before?.assignedJobs ?? [];
    existing.worker = body;
    engine.saveWorker(existing);
    core.afterWorkerUpsert(existing, before, false);
    const record = workerRecord(id);
    await settle();
    return objectResponse(record, 200);
  }

  function workerRecord(id: string): StoredRecord {
    const r = engine.workerRecord(id);
    if (!r) throw new Error(`worker ${id} vanished from the store`);
    return r;
  }

  function listWorkers(req: EmulatorRequest): EmulatorResponse {
    const page = parsePageRequest(req, errors);
    if ("status" in page) return page;
    const q = req.query;
    const state = q["state"] ?? "all";
    if (!["all", "active", "draining", "inactive"].includes(state)) {
      return errors.badRequest(req.path, [
        {
          code: "InvalidQueryParameter",
          message: `state: must be one of all, active, draining, inactive (got ${JSON.stringify(state)})`,
        },
      ]);
    }
    const hasCapacity = q["hasCapacity"] === "true";
    const records = engine.records("workers").filter((r) => {
      const b = r.body as unknown as WorkerBody;
      if (state !== "all" && b.state !== state) return false;
      if (q["channelId"] !== undefined && !(b.channels ?? []).some((c) => c.channelId === q["channelId"])) return false;
      if (q["queueId"] !== undefined && !(b.queues ?? []).includes(q["queueId"])) return false;
      if (hasCapacity) {
        // [spec] capacity on channelId, or on any channel when channelId is absent
        const used = [...(b.assignedJobs ?? []), ...(b.offers ?? [])].reduce((s, a) => s + a.capacityCost, 0);
        const free = (b.capacity ?? 0) - used;
        const channels = (b.channels ?? []).filter(
          (c) => q["channelId"] === undefined || c.channelId === q["channelId"],
        );
        if (!channels.some((c) => c.capacityCostPerJob <= free)) return false;
      }
      return true;
    });
    return pageOf(req, records, page);
  }

  async function offerAction(
    req: EmulatorRequest,
    workerId: string,
    offerId: string,
    action: string,
  ): Promise<EmulatorResponse> {
    const w = engine.workers.get(workerId);
    if (!w) return errors.notFound(req.path, `Worker ${workerId} does not exist.`);
    if (action === "accept") {
      const result = core.acceptOffer(w, offerId);
      await settle();
      return { status: 200, body: result };
    }
    const problems = validateActionBody(req.body, { retryOfferAt: "dateTime" });
    if (problems.length > 0) return fieldErrors(errors, req.path, problems);
    const b = isObject(req.body) ? req.body : {};
    core.declineOffer(w, offerId, parseDateTime(b.retryOfferAt));
    await settle();
    return { status: 200, body: {} };
  }

  // ---------------------------------------------------------------- routing

  async function route(req: EmulatorRequest): Promise<EmulatorResponse | undefined> {
    const [coll, second, third, fourth, ...rest] = req.segments;
    const m = req.method;
    const allow = (methods: string[]): EmulatorResponse => errors.methodNotAllowed(req.path, m, methods);
    if (coll === "jobs") {
      if (rest.length > 0) return undefined;
      if (second === undefined) return m === "GET" ? listJobs(req) : allow(["GET"]);
      if (third === undefined) {
        const { id, action } = splitAction(second, ["cancel", "reclassify"]);
        if (action) return m === "POST" ? jobAction(req, id, action) : allow(["POST"]);
        if (m === "GET") return getJob(req, id);
        if (m === "PATCH") return upsertJob(req, id);
        if (m === "DELETE") {
          const j = engine.jobs.get(id);
          // [guess: DELETE of a missing job answers 404, as the admin endpoints do here]
          if (!j) return errors.notFound(req.path, `Job ${id} does not exist.`);
          core.deleteJob(j);
          await settle();
          return { status: 204 };
        }
        return allow(["GET", "PATCH", "DELETE"]);
      }
      if (third === "position" && fourth === undefined) return m === "GET" ? position(req, second) : allow(["GET"]);
      if (third === "assignments" && fourth !== undefined) {
        const { id: assignmentId, action } = splitAction(fourth, ["complete", "close", "unassign"]);
        if (!action) return undefined;
        return m === "POST" ? assignmentAction(req, second, assignmentId, action) : allow(["POST"]);
      }
      return undefined;
    }
    if (coll === "workers") {
      if (rest.length > 0) return undefined;
      if (second === undefined) return m === "GET" ? listWorkers(req) : allow(["GET"]);
      if (third === undefined) {
        if (m === "GET") {
          const w = engine.workers.get(second);
          if (!w) return errors.notFound(req.path, `Worker ${second} does not exist.`);
          return objectResponse(workerRecord(second));
        }
        if (m === "PATCH") return upsertWorker(req, second);
        if (m === "DELETE") {
          const w = engine.workers.get(second);
          // [rec: .NET SchedulingScenario.SimpleSchedulingScenario #25 and #27] deleting a worker that no longer
          // exists answers 204, like the first delete.
          if (!w) return { status: 204 };
          core.deleteWorker(w);
          await settle();
          return { status: 204 };
        }
        return allow(["GET", "PATCH", "DELETE"]);
      }
      if (third === "offers" && fourth !== undefined) {
        const { id: offerId, action } = splitAction(fourth, ["accept", "decline"]);
        if (!action) return undefined;
        return m === "POST" ? offerAction(req, second, offerId, action) : allow(["POST"]);
      }
      return undefined;
    }
    if (coll === "queues" && second !== undefined && third === "statistics" && fourth === undefined && m === "GET") {
      return statistics(req, second);
    }
    return undefined;
  }

  return {
    async handle(req: EmulatorRequest): Promise<EmulatorResponse | undefined> {
      try {
        const res = await route(req);
        if (res === undefined && req.method !== "GET" && req.segments.length === 2) {
          // An admin write (queue, policy) may change routing: match again once the admin handler ran.
          setImmediate(() => core.onAdminChange());
        }
        return res;
      } catch (err) {
        if (err instanceof RoutingFailure) return failure(errors, req.path, err);
        throw err;
      }
    },
  };
}
