import type { JsonObject } from "../http";

/** Collection names are path-like identifiers: the four admin collections, "jobs", "workers", or others. */
export type CollectionName = string;

export interface StoredRecord<T extends JsonObject = JsonObject> {
  id: string;
  /** Quoted ETag, exactly as sent in the header and the body's `etag`. */
  etag: string;
  /** ISO timestamp, second resolution (Last-Modified is RFC 1123 with seconds). */
  lastModified: string;
  createdAt: string;
  /** Insertion order; list() returns records by ascending seq. Assigned by the store. */
  seq: number;
  /** The resource as the service returns it, without `id` and `etag`. */
  body: T;
  /** Emulator bookkeeping that never reaches the wire. */
  meta?: JsonObject;
}

export type NewRecord<T extends JsonObject = JsonObject> = Omit<StoredRecord<T>, "seq"> & { seq?: number };

/**
 * Synchronous, write-through state. Every method copies: callers never share objects with the store.
 * Synchronous on purpose: a handler's read-check-write is then atomic with respect to other requests.
 */
export interface Store {
  get(collection: CollectionName, id: string): StoredRecord | undefined;
  /** All records of a collection, in insertion order. */
  list(collection: CollectionName): StoredRecord[];
  /** Insert or replace; keeps the old seq on replace. Returns the stored copy. */
  put(collection: CollectionName, record: NewRecord): StoredRecord;
  /**
   * Insert or replace a record the caller built for this call alone and never touches again, with no copy in or
   * out (the routing engine writes a worker on every offer; two deep copies per write were a tenth of its time).
   */
  putOwned?(collection: CollectionName, record: NewRecord): void;
  /** Returns whether a record was removed. */
  delete(collection: CollectionName, id: string): boolean;
  collections(): CollectionName[];
  /** Remove everything (tests). */
  clear(): void;
  close(): Promise<void>;
}

export function checkCollectionName(collection: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(collection))
    throw new Error(`store: invalid collection name ${JSON.stringify(collection)}`);
}
