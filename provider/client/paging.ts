// Paged lists in the azure-sdk-for-js style: `for await (const x of client.listQueues())` iterates items
// across pages, `.byPage({ maxPageSize })` iterates pages. The continuation token is the service's nextLink.

import { JobRouterError } from "./errors";
import type { Page } from "./models";

export interface PageSettings {
  /** A nextLink from an earlier page: resume from there. */
  continuationToken?: string;
  /** Sent as `maxpagesize` on the first request; later pages follow the nextLink as given. */
  maxPageSize?: number;
}

/** A page as yielded by byPage(): the service's page plus its nextLink as the continuation token. */
export type ContinuablePage<T> = Page<T> & { continuationToken?: string };

export interface PagedAsyncIterableIterator<T, TPage = ContinuablePage<T>, TSettings = PageSettings> {
  next(): Promise<IteratorResult<T>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<T, TPage, TSettings>;
  byPage(settings?: TSettings): AsyncIterableIterator<TPage>;
}

export interface PageFetchers<T> {
  first(maxPageSize: number | undefined): Promise<Page<T>>;
  next(nextLink: string): Promise<Page<T>>;
}

/** The service examples carry `nextLink: null` and even the string "null" on the last page (facts §4). */
function continuation(nextLink: unknown): string | undefined {
  return typeof nextLink === "string" && nextLink !== "" && nextLink !== "null" ? nextLink : undefined;
}

export function paginate<T>(fetchers: PageFetchers<T>, defaults: PageSettings = {}): PagedAsyncIterableIterator<T> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<ContinuablePage<T>> {
    let link = continuation(settings.continuationToken ?? defaults.continuationToken);
    let page = link === undefined ? await fetchers.first(settings.maxPageSize ?? defaults.maxPageSize) : undefined;
    const seen = new Set<string>();
    for (;;) {
      if (page === undefined) {
        if (link === undefined) return;
        // A server that hands back a link already followed would make this loop forever.
        if (seen.has(link))
          throw new JobRouterError({
            code: "InvalidNextLink",
            message: "nextLink: the service returned a link that was already followed; stopping to avoid a loop",
          });
        seen.add(link);
        page = await fetchers.next(link);
      }
      link = continuation(page.nextLink);
      const out: ContinuablePage<T> = { value: page.value };
      if (link !== undefined) {
        out.nextLink = link;
        out.continuationToken = link;
      }
      yield out;
      page = undefined;
    }
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const p of pages()) yield* p.value;
  }
  const iter = items();
  const paged: PagedAsyncIterableIterator<T> = {
    next: () => iter.next(),
    [Symbol.asyncIterator]: () => paged,
    byPage: (settings?: PageSettings) => pages(settings),
  };
  return paged;
}
