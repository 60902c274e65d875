// What still refers to an object the service refused to delete, so the refusal can name it.
//
// The service's refusal says only what kind of thing is in the way ("There is a queue with this distribution
// policy"); this lists the objects themselves, by id, from the same service. Best effort: a listing that
// fails (permissions, network) leaves that kind out, and the refusal is reported without it.

import type { JobRouterClient } from "./client/client";
import type { AdminCollection } from "./client/models";

/** One object in the way, e.g. `{ kind: "queue", id: "support", via: "distributionPolicyId" }`. */
export interface Dependent {
  kind: "queue" | "classification policy" | "worker" | "job";
  id: string;
  /** The field that refers to the object being deleted. */
  via: string;
}

/** More than this many of one kind are summarised ("and 12 more"): the message must stay readable. */
const MAX_LISTED = 10;

async function collect<T>(items: AsyncIterable<T>, keep: (item: T) => Dependent | undefined): Promise<Dependent[]> {
  const out: Dependent[] = [];
  for await (const item of items) {
    const d = keep(item);
    if (d !== undefined) out.push(d);
  }
  return out;
}

async function safely(find: () => Promise<Dependent[]>): Promise<Dependent[]> {
  try {
    return await find();
  } catch {
    return [];
  }
}

/** The objects on the service that refer to `collection/id` in a way that blocks its deletion. */
export async function findDependents(
  client: JobRouterClient,
  collection: AdminCollection,
  id: string,
): Promise<Dependent[]> {
  switch (collection) {
    case "distributionPolicies":
      return safely(() =>
        collect(client.listQueues(), (q) =>
          q.distributionPolicyId === id ? { kind: "queue", id: q.id, via: "distributionPolicyId" } : undefined,
        ),
      );
    case "exceptionPolicies":
      return safely(() =>
        collect(client.listQueues(), (q) =>
          q.exceptionPolicyId === id ? { kind: "queue", id: q.id, via: "exceptionPolicyId" } : undefined,
        ),
      );
    case "classificationPolicies":
      return safely(() =>
        collect(client.listJobs({ status: "active", classificationPolicyId: id }), (j) => ({
          kind: "job",
          id: j.id,
          via: "classificationPolicyId",
        })),
      );
    case "queues": {
      const [policies, workers, jobs] = await Promise.all([
        safely(() =>
          collect(client.listClassificationPolicies(), (p) =>
            p.fallbackQueueId === id ? { kind: "classification policy", id: p.id, via: "fallbackQueueId" } : undefined,
          ),
        ),
        safely(() =>
          collect(client.listWorkers({ queueId: id, state: "all" }), (w) =>
            (w.queues ?? []).includes(id) ? { kind: "worker", id: w.id, via: "queues" } : undefined,
          ),
        ),
        safely(() =>
          collect(client.listJobs({ status: "active", queueId: id }), (j) => ({
            kind: "job",
            id: j.id,
            via: "queueId",
          })),
        ),
      ]);
      return [...policies, ...workers, ...jobs];
    }
  }
}

const PLURAL: Record<Dependent["kind"], string> = {
  queue: "queues",
  "classification policy": "classification policies",
  worker: "workers",
  job: "active jobs",
};

const FIX: Record<Dependent["kind"], string> = {
  queue: "delete the queue or point it at another policy",
  "classification policy": "delete the classification policy or give it another fallbackQueueId",
  worker: "remove the queue from the worker's queues (or delete the worker)",
  job: "cancel, complete or close the job",
};

/** `queues "support", "sales" (through distributionPolicyId): <fix>` per kind, joined with "; ". */
export function describeDependents(dependents: readonly Dependent[]): string {
  const byKind = new Map<Dependent["kind"], Dependent[]>();
  for (const d of dependents) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  const parts: string[] = [];
  for (const [kind, list] of byKind) {
    const names = list.slice(0, MAX_LISTED).map((d) => JSON.stringify(d.id));
    const more = list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more` : "";
    const vias = [...new Set(list.map((d) => d.via))].join(", ");
    parts.push(`${list.length === 1 ? kind : PLURAL[kind]} ${names.join(", ")}${more} (through ${vias}): ${FIX[kind]}`);
  }
  return parts.join("; ");
}
