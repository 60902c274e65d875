// What the state machine needs from whoever runs it. The emulator answers from its store and persists every write;
// the simulator answers from a fixed configuration and keeps nothing. Neither the core nor this contract knows about
// HTTP requests, ETags or Event Grid.

import type {
  ClassificationPolicy,
  DistributionPolicy,
  ExceptionPolicy,
  Labels,
  RouterQueue,
} from "../../provider/client/models";
import type { Clock } from "../clock";
import type { HttpCaller } from "../rules";
import type { RoutingEvent } from "./events";
import type { JobState, WorkerState } from "./state";

/** Administration objects by id, kinds under their 2023-11-01 names. */
export interface RoutingPolicies {
  queue(id: string | undefined): RouterQueue | undefined;
  distributionPolicy(id: string | undefined): DistributionPolicy | undefined;
  classificationPolicy(id: string | undefined): ClassificationPolicy | undefined;
  exceptionPolicy(id: string | undefined): ExceptionPolicy | undefined;
  /** Every queue with its labels, in the order classification's queue selectors see them. */
  queuesForClassification(): Array<{ id: string; labels: Labels }>;
}

export interface RoutingHost {
  readonly policies: RoutingPolicies;
  readonly clock: Clock;
  /**
   * Function and webhook rules (classification, scoring) call out through this: the emulator passes a real HTTP
   * caller, the simulator one that refuses (remote rules are refused when a scenario is validated).
   */
  readonly http: HttpCaller;
  /** Uniform [0, 1): weighted allocations. */
  readonly random: () => number;
  /** Offer and assignment ids (default: random UUIDs, as the service's). */
  newId?(): string;
  /** A job or worker was written by the core; `changed`: a change a client can see (new ETag, Last-Modified). */
  jobWritten(j: JobState, changed: boolean): void;
  workerWritten(w: WorkerState, changed: boolean): void;
  jobDeleted(j: JobState): void;
  workerDeleted(w: WorkerState): void;
  event(e: RoutingEvent): void;
  /** Diagnostics (rule failures); never receives secrets. */
  log?(message: string): void;
}
