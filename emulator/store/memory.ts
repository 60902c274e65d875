import type { CollectionName, NewRecord, Store, StoredRecord } from "./types";
import { checkCollectionName } from "./types";
import { cloneJson } from "./clone";

function copy<T>(value: T): T {
  return cloneJson(value);
}

export class MemoryStore implements Store {
  protected readonly data = new Map<CollectionName, Map<string, StoredRecord>>();
  protected seq = 0;

  protected bucket(collection: CollectionName): Map<string, StoredRecord> {
    checkCollectionName(collection);
    let b = this.data.get(collection);
    if (!b) {
      b = new Map();
      this.data.set(collection, b);
    }
    return b;
  }

  get(collection: CollectionName, id: string): StoredRecord | undefined {
    const r = this.bucket(collection).get(id);
    return r ? copy(r) : undefined;
  }

  list(collection: CollectionName): StoredRecord[] {
    return [...this.bucket(collection).values()].sort((a, b) => a.seq - b.seq).map(copy);
  }

  put(collection: CollectionName, record: NewRecord): StoredRecord {
    const b = this.bucket(collection);
    const existing = b.get(record.id);
    const seq = existing?.seq ?? record.seq ?? ++this.seq;
    if (seq > this.seq) this.seq = seq;
    const stored: StoredRecord = { ...copy(record), seq };
    b.set(record.id, stored);
    this.persist?.(collection, stored);
    return copy(stored);
  }

  putOwned(collection: CollectionName, record: NewRecord): void {
    const b = this.bucket(collection);
    const existing = b.get(record.id);
    const seq = existing?.seq ?? record.seq ?? ++this.seq;
    if (seq > this.seq) this.seq = seq;
    const stored: StoredRecord = { ...record, seq };
    b.set(record.id, stored);
    this.persist?.(collection, stored);
  }

  delete(collection: CollectionName, id: string): boolean {
    const removed = this.bucket(collection).delete(id);
    if (removed) this.unpersist?.(collection, id);
    return removed;
  }

  collections(): CollectionName[] {
    return [...this.data.keys()];
  }

  clear(): void {
    for (const [collection, b] of this.data) for (const id of [...b.keys()]) this.delete(collection, id);
  }

  async close(): Promise<void> {}

  /** Hooks for write-through subclasses. */
  protected persist?(collection: CollectionName, record: StoredRecord): void;
  protected unpersist?(collection: CollectionName, id: string): void;
}
