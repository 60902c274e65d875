// What the state machine says happened, one entry per transition, named as the service names its events
// (Microsoft.Communication.<name>). Each carries the live job or worker it is about: a host that needs a snapshot
// (the emulator's Event Grid payloads) reads it when the event is raised, before the core changes anything else.

import type { RouterJobOffer, RouterQueue, RouterWorkerSelector } from "../../provider/client/models";
import type { FailureDetail, JobState, WorkerState } from "./state";

type JobEvent<N extends string, X = object> = { name: N; job: JobState } & X;
type OfferEvent<N extends string, X = object> = {
  name: N;
  worker: WorkerState;
  /** The job, unless it was deleted meanwhile. */
  job: JobState | undefined;
  jobId: string;
  offerId: string;
} & X;

export type RoutingEvent =
  | JobEvent<"RouterJobReceived">
  | JobEvent<"RouterJobWaitingForActivation">
  | JobEvent<"RouterJobSchedulingFailed", { failureReason: string }>
  | JobEvent<"RouterJobClassificationFailed", { errors: FailureDetail[] }>
  | JobEvent<"RouterJobClassified", { queue: RouterQueue; classificationPolicyId: string }>
  | JobEvent<"RouterJobQueued">
  | JobEvent<
      "RouterJobWorkerSelectorsExpired",
      { expiredRequested: RouterWorkerSelector[]; expiredAttached: RouterWorkerSelector[] }
    >
  | JobEvent<"RouterJobExceptionTriggered", { ruleId: string }>
  | JobEvent<"RouterJobCancelled", { note: string | undefined }>
  | JobEvent<
      "RouterJobCompleted" | "RouterJobClosed" | "RouterJobUnassigned",
      { assignmentId: string; workerId: string | undefined }
    >
  | JobEvent<"RouterJobDeleted">
  | { name: "RouterWorkerRegistered" | "RouterWorkerDeregistered" | "RouterWorkerDeleted"; worker: WorkerState }
  | { name: "RouterWorkerUpdated"; worker: WorkerState; changed: string[] }
  | OfferEvent<"RouterWorkerOfferIssued", { offer: RouterJobOffer }>
  | OfferEvent<"RouterWorkerOfferAccepted", { assignmentId: string }>
  | OfferEvent<"RouterWorkerOfferDeclined" | "RouterWorkerOfferExpired" | "RouterWorkerOfferRevoked">;

export type RoutingEventName = RoutingEvent["name"];
