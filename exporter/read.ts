// Reads a namespace: every object of the four administration collections, through the client's paging and retries.

import type { JobRouterClient } from "../provider/client/client";
import { ADMIN_COLLECTIONS, type AdminCollection } from "../provider/client/models";
import { canonicalSpec } from "../provider/canonical";
import type { LiveObject, Namespace } from "./model";

export interface ReadOptions {
  /** Collections to list; default all four. The others are still listed when a selection needs them. */
  readonly collections?: readonly AdminCollection[];
  /** `maxpagesize` of each list; default 100 (fewer round trips than the service's default page). */
  readonly maxPageSize?: number;
}

/**
 * Lists the collections (in parallel: they are independent) and keeps each object's canonical spec, which is what the
 * providers compare with: the generated program then states exactly what the service holds, minus its defaults.
 */
export async function readNamespace(client: JobRouterClient, options: ReadOptions = {}): Promise<Namespace> {
  const wanted = new Set(options.collections ?? ADMIN_COLLECTIONS);
  const maxPageSize = options.maxPageSize ?? 100;
  const lists = await Promise.all(
    ADMIN_COLLECTIONS.map(async (collection): Promise<LiveObject[]> => {
      if (!wanted.has(collection)) return [];
      const out: LiveObject[] = [];
      for await (const page of client.list(collection).byPage({ maxPageSize })) {
        for (const item of page.value) {
          out.push({ collection, id: item.id, spec: canonicalSpec(collection, item, item.id) });
        }
      }
      return out.sort((a, b) => compareStrings(a.id, b.id));
    }),
  );
  return {
    distributionPolicies: lists[0] ?? [],
    queues: lists[1] ?? [],
    classificationPolicies: lists[2] ?? [],
    exceptionPolicies: lists[3] ?? [],
  };
}

/** Code-unit order: the same on every machine and locale (localeCompare is not). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
