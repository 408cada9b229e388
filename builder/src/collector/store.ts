import type Database from 'better-sqlite3';
import type { LabEvent, StoredEvent } from '@lab/shared';
import { EventInserter, fromRow, openEventDb, pushEventValues, storedFrom, type EventRow } from './event-rows.js';

export type { StoredEvent } from '@lab/shared';

export interface InsertResult {
  inserted: number;
  duplicates: number;
  /** The events that were new, in store order, with their sequence numbers. */
  stored: StoredEvent[];
}

export interface EventQuery {
  host?: string;
  /** Return events with seq greater than this. */
  since?: number;
  limit: number;
}

/**
 * The collector's event store: one SQLite file in WAL mode. An event is stored once per id
 * (INSERT OR IGNORE on the primary key), so a sender that retries after a lost answer does not
 * duplicate it. `synchronous=FULL` makes a batch durable before the HTTP answer acknowledges it.
 */
export class EventStore {
  private readonly db: Database.Database;
  private readonly insertMany: (batches: LabEvent[][], received: string) => StoredEvent[][];

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = openEventDb(file, options);
    const inserter = new EventInserter(this.db);
    this.insertMany = this.db.transaction((batches: LabEvent[][], received: string) =>
      batches.map((events) => {
        const values: (string | null)[] = [];
        for (const e of events) pushEventValues(e, values);
        const seqs = new Float64Array(events.length);
        inserter.insert(values, 0, events.length, received, seqs);
        return storedFrom(events, seqs, 0, received);
      }),
    );
  }

  /** Stores a batch in one transaction; returns which events were new. */
  insert(events: LabEvent[], received = new Date().toISOString()): InsertResult {
    return this.insertBatches([events], received)[0]!;
  }

  /**
   * Stores several batches in ONE transaction (one fsync): the collector's group commit, so
   * concurrent senders share the cost of durability. Results are per batch, in order.
   */
  insertBatches(batches: LabEvent[][], received = new Date().toISOString()): InsertResult[] {
    const stored = this.insertMany(batches, received);
    return stored.map((s, i) => ({ inserted: s.length, duplicates: batches[i]!.length - s.length, stored: s }));
  }

  /** Events in store order, optionally for one host, after a cursor. */
  list(q: EventQuery): StoredEvent[] {
    const since = q.since ?? 0;
    const rows = q.host === undefined
      ? this.db.prepare('SELECT rowid AS seq, * FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?').all(since, q.limit)
      : this.db.prepare('SELECT rowid AS seq, * FROM events WHERE host = ? AND rowid > ? ORDER BY rowid LIMIT ?').all(q.host, since, q.limit);
    return (rows as EventRow[]).map(fromRow);
  }

  /** The last `limit` events of a host (or of all hosts), oldest first (the dashboard's timeline and its recent history). */
  tail(host: string | undefined, limit: number): StoredEvent[] {
    const rows = (host === undefined
      ? this.db.prepare('SELECT rowid AS seq, * FROM events ORDER BY rowid DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT rowid AS seq, * FROM events WHERE host = ? ORDER BY rowid DESC LIMIT ?').all(host, limit)) as EventRow[];
    return rows.reverse().map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }

  hasId(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM events WHERE id = ?').get(id) !== undefined;
  }

  /** Remembers which lab host spoke from an address (learned from Talos AddressEvent). */
  rememberPeer(address: string, host: string, when = new Date().toISOString()): void {
    this.db.prepare('INSERT INTO peers (address, host, learned) VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE SET host = excluded.host, learned = excluded.learned').run(address, host, when);
  }

  peers(): Map<string, string> {
    const rows = this.db.prepare('SELECT address, host FROM peers').all() as { address: string; host: string }[];
    return new Map(rows.map((r) => [r.address, r.host]));
  }

  /** The time the bring-up started: set once, the first time the collector runs on this store. */
  startedAt(now = new Date().toISOString()): string {
    if (!this.db.readonly) this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('started', ?)").run(now);
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'started'").get() as { value: string } | undefined;
    return row?.value ?? now;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
