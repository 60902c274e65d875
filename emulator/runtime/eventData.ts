// The routing core's events in the service's Event Grid shape: subject and `data` per event type, as the recordings
// and the Event Grid catalog show them. Built when the core raises the event, so the data is the state at that time.

import type { RouterEventName, RouterWorkerSelector } from "../../provider/client/models";
import type { RouterQueue } from "../../provider/client/models";
import { matchingKind, scheduleAtOf, type JobState, type RoutingEvent, type WorkerState } from "../../routing/core";
import { jobSubject, offerSubject, workerSubject } from "./events";

/** Event Grid spells label operators differently from the REST API. */
const EVENT_OPERATOR: Record<string, string> = {
  equal: "Equal",
  notEqual: "NotEqual",
  lessThan: "Less",
  lessThanOrEqual: "LessThanOrEqual",
  greaterThan: "Greater",
  greaterThanOrEqual: "GreaterThanOrEqual",
};

function eventSelectors(list: readonly RouterWorkerSelector[] | undefined): Array<Record<string, unknown>> {
  return (list ?? []).map((s) => {
    const out: Record<string, unknown> = {
      key: s.key,
      labelOperator: EVENT_OPERATOR[s.labelOperator] ?? s.labelOperator,
      labelValue: s.value ?? null,
      state: s.status ?? "active",
    };
    if (s.expiresAfterSeconds !== undefined) out.ttlSeconds = s.expiresAfterSeconds;
    if (s.expiresAt !== undefined) out.expirationTime = s.expiresAt;
    return out;
  });
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function jobBase(j: JobState): Record<string, unknown> {
  const d: Record<string, unknown> = { jobId: j.id };
  if (j.job.channelReference !== undefined) d.channelReference = j.job.channelReference;
  d.channelId = j.job.channelId;
  if (j.job.queueId !== undefined) d.queueId = j.job.queueId;
  d.labels = j.job.labels ?? {};
  d.tags = j.job.tags ?? {};
  return d;
}

function waitingData(j: JobState, now: number): Record<string, unknown> {
  const expired = (l: RouterWorkerSelector[] | undefined) =>
    eventSelectors(
      (l ?? []).filter((s) => s.status === "expired" || (s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now)),
    );
  return {
    priority: j.job.priority,
    expiredAttachedWorkerSelectors: expired(j.job.attachedWorkerSelectors),
    expiredRequestedWorkerSelectors: expired(j.job.requestedWorkerSelectors),
    scheduledOn: j.job.scheduledAt,
    unavailableForMatching: true,
  };
}

function registration(w: WorkerState, queue: (id: string) => RouterQueue | undefined): Record<string, unknown> {
  return {
    workerId: w.id,
    queueAssignments: (w.worker.queues ?? []).map((qid) => {
      const q = queue(qid);
      return { id: qid, name: q?.name, labels: q?.labels ?? {} };
    }),
    channelConfigurations: w.worker.channels ?? [],
    totalCapacity: w.worker.capacity ?? 0,
    labels: w.worker.labels ?? {},
    tags: w.worker.tags ?? {},
  };
}

export interface EventGridParts {
  name: RouterEventName;
  subject: string;
  data: Record<string, unknown>;
}

/** Subject and data of one routing event; `queue` looks up queues for worker registration events. */
export function eventGridParts(
  e: RoutingEvent,
  now: number,
  queue: (id: string) => RouterQueue | undefined,
): EventGridParts {
  switch (e.name) {
    case "RouterWorkerRegistered":
      return { name: e.name, subject: workerSubject(e.worker.id), data: registration(e.worker, queue) };
    case "RouterWorkerUpdated":
      return {
        name: e.name,
        subject: workerSubject(e.worker.id),
        data: { ...registration(e.worker, queue), updatedWorkerProperties: e.changed },
      };
    case "RouterWorkerDeregistered":
    case "RouterWorkerDeleted":
      return { name: e.name, subject: workerSubject(e.worker.id), data: { workerId: e.worker.id } };
    case "RouterWorkerOfferIssued":
    case "RouterWorkerOfferAccepted":
    case "RouterWorkerOfferDeclined":
    case "RouterWorkerOfferExpired":
    case "RouterWorkerOfferRevoked": {
      const j = e.job;
      const w = e.worker;
      const data: Record<string, unknown> = { workerId: w.id, jobId: e.jobId };
      if (j?.job.channelReference !== undefined) data.channelReference = j.job.channelReference;
      data.channelId = j?.job.channelId;
      data.queueId = j?.job.queueId;
      data.offerId = e.offerId;
      if (e.name === "RouterWorkerOfferIssued") {
        Object.assign(data, {
          jobPriority: j?.job.priority,
          workerLabels: w.worker.labels ?? {},
          offeredOn: e.offer.offeredAt,
          expiresOn: e.offer.expiresAt,
          workerTags: w.worker.tags ?? {},
          jobLabels: j?.job.labels ?? {},
          jobTags: j?.job.tags ?? {},
        });
      } else if (e.name === "RouterWorkerOfferAccepted") {
        Object.assign(data, {
          assignmentId: e.assignmentId,
          jobPriority: j?.job.priority,
          workerLabels: w.worker.labels ?? {},
          workerTags: w.worker.tags ?? {},
          jobLabels: j?.job.labels ?? {},
          jobTags: j?.job.tags ?? {},
        });
      }
      return { name: e.name, subject: offerSubject(w.id, e.jobId, j?.job.channelId), data };
    }
    default:
      return { name: e.name, subject: jobSubject(e.job.id, e.job.job.channelId), data: jobData(e, now) };
  }
}

function jobData(e: Extract<RoutingEvent, { job: JobState; worker?: never }>, now: number): Record<string, unknown> {
  const j = e.job;
  const base = jobBase(j);
  switch (e.name) {
    case "RouterJobReceived": {
      const mm = matchingKind(j.job);
      return {
        ...base,
        jobStatus: pascal(j.job.status ?? "created"),
        classificationPolicyId: j.job.classificationPolicyId,
        priority: j.job.priority,
        requestedWorkerSelectors: eventSelectors(j.job.requestedWorkerSelectors),
        scheduledOn: mm === "scheduleAndSuspend" ? scheduleAtOf(j.job) : undefined,
        unavailableForMatching: mm !== "queueAndMatch",
      };
    }
    case "RouterJobWaitingForActivation":
      return { ...base, ...waitingData(j, now) };
    case "RouterJobSchedulingFailed":
      return {
        ...base,
        priority: j.job.priority,
        expiredAttachedWorkerSelectors: [],
        expiredRequestedWorkerSelectors: [],
        failureReason: e.failureReason,
      };
    case "RouterJobClassificationFailed":
      return { ...base, classificationPolicyId: j.job.classificationPolicyId, errors: e.errors };
    case "RouterJobClassified":
      return {
        ...base,
        queueDetails: { id: e.queue.id, name: e.queue.name, labels: e.queue.labels ?? {} },
        classificationPolicyId: e.classificationPolicyId,
        priority: j.job.priority,
        attachedWorkerSelectors: eventSelectors(j.job.attachedWorkerSelectors),
      };
    case "RouterJobQueued":
      return {
        ...base,
        priority: j.job.priority,
        attachedWorkerSelectors: eventSelectors(j.job.attachedWorkerSelectors),
        requestedWorkerSelectors: eventSelectors(j.job.requestedWorkerSelectors),
      };
    case "RouterJobWorkerSelectorsExpired":
      return {
        ...base,
        expiredRequestedWorkerSelectors: eventSelectors(e.expiredRequested),
        expiredAttachedWorkerSelectors: eventSelectors(e.expiredAttached),
      };
    case "RouterJobExceptionTriggered":
      return { ...base, ruleKey: e.ruleId, exceptionRuleId: e.ruleId };
    case "RouterJobCancelled":
      return { ...base, note: e.note, dispositionCode: j.job.dispositionCode };
    case "RouterJobCompleted":
    case "RouterJobUnassigned":
      return { ...base, assignmentId: e.assignmentId, workerId: e.workerId };
    case "RouterJobClosed":
      return { ...base, assignmentId: e.assignmentId, workerId: e.workerId, dispositionCode: j.job.dispositionCode };
    case "RouterJobDeleted":
      return base;
  }
}
