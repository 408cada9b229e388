// The events table and its insert, shared by EventStore (this thread) and the writer thread
// (writer-thread.ts): one schema, one set of pragmas, one chunked INSERT, one row mapping.
import Database from 'better-sqlite3';
import { EVENT_COLUMNS, type LabEvent, type StoredEvent } from '@lab/shared';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  host TEXT,
  mac TEXT,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  time TEXT NOT NULL,
  received TEXT NOT NULL,
  attrs TEXT NOT NULL
);
-- A secondary index carries the rowid, so (host, rowid) range scans use it.
CREATE INDEX IF NOT EXISTS events_host ON events(host);
CREATE TABLE IF NOT EXISTS peers (
  address TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  learned TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * Opens the store's SQLite file: WAL, `synchronous=FULL` (a write is durable before it is
 * acknowledged), and the schema when writable.
 */
export function openEventDb(file: string, options: { readonly?: boolean } = {}): Database.Database {
  const readonly = options.readonly ?? false;
  const db = new Database(file, { readonly, fileMustExist: readonly });
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Checkpoint less often than every 1000 pages: fewer main-file fsyncs under steady ingest.
    db.pragma('wal_autocheckpoint = 8000');
    db.exec(SCHEMA);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Values per event in a flat value list: the stored columns except `received` (one per write). */
export const VALUES_PER_EVENT = EVENT_COLUMNS.length - 1;
const RECEIVED_AT = EVENT_COLUMNS.indexOf('received');

/** Appends an event's values (id, host, mac, source, kind, time, attrs as JSON) to `out`. */
export function pushEventValues(e: LabEvent, out: (string | null)[]): void {
  out.push(e.id, e.host ?? null, e.mac ?? null, e.source, e.kind, e.time, JSON.stringify(e.attrs ?? {}));
}

/** Rows per INSERT statement (8 parameters each, far below SQLite's 32766-parameter limit). */
const CHUNK = 100;

/**
 * The chunked insert. Which rows of a chunk are new, and their rowids: SQLite gives a new row the
 * largest rowid + 1 (the table has no AUTOINCREMENT and never deletes) and inserts a VALUES list
 * in order, inside the caller's write transaction, so the `changes` new rows hold rowids
 * last-changes+1 … last. When every row is new they are the chunk in order; otherwise the range
 * says which ids they are. This replaces RETURNING, which cost a result row per event.
 */
export class EventInserter {
  private readonly statements = new Map<number, Database.Statement>();
  private readonly newRows: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.newRows = db.prepare('SELECT id, rowid AS seq FROM events WHERE rowid > ? AND rowid <= ?');
  }

  /** A multi-row INSERT for n rows: one native call per chunk instead of per event. */
  private statement(n: number): Database.Statement {
    let s = this.statements.get(n);
    if (!s) {
      const row = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
      s = this.db.prepare(`INSERT OR IGNORE INTO events (${EVENT_COLUMNS.join(', ')}) VALUES ${Array.from({ length: n }, () => row).join(', ')}`);
      this.statements.set(n, s);
    }
    return s;
  }

  /**
   * Inserts `count` events whose values start at event `from` of `values` (VALUES_PER_EVENT
   * each), all received at `received`. Writes each one's rowid into `seqs[from + j]`, or leaves 0
   * when its id was already stored (or repeats earlier in the list). Call inside a transaction.
   */
  insert(values: readonly (string | null)[], from: number, count: number, received: string, seqs: Float64Array): void {
    const columns = EVENT_COLUMNS.length;
    for (let i = 0; i < count; i += CHUNK) {
      const n = Math.min(CHUNK, count - i);
      const first0 = from + i;
      const params = new Array<string | null>(n * columns);
      let k = 0;
      for (let j = 0; j < n; j++) {
        const v = (first0 + j) * VALUES_PER_EVENT;
        for (let f = 0; f < RECEIVED_AT; f++) params[k++] = values[v + f]!;
        params[k++] = received;
        for (let f = RECEIVED_AT; f < VALUES_PER_EVENT; f++) params[k++] = values[v + f]!;
      }
      const info = this.statement(n).run(...params);
      if (info.changes === 0) continue;
      const last = Number(info.lastInsertRowid);
      const first = last - info.changes + 1;
      if (info.changes === n) {
        for (let j = 0; j < n; j++) seqs[first0 + j] = first + j;
        continue;
      }
      const seqById = new Map<string, number>();
      for (const r of this.newRows.all(first - 1, last) as { id: string; seq: number }[]) seqById.set(r.id, r.seq);
      for (let j = 0; j < n; j++) {
        const id = values[(first0 + j) * VALUES_PER_EVENT]!;
        const seq = seqById.get(id);
        if (seq !== undefined) {
          seqById.delete(id);
          seqs[first0 + j] = seq;
        }
      }
    }
  }
}

/** The stored form of an event, the same keys in the same order as `{ ...e, seq, received }`. */
export function storedEvent(e: LabEvent, seq: number, received: string): StoredEvent {
  const { id, host, mac, source, kind, time, attrs } = e;
  if (host === undefined) return mac === undefined ? { id, source, kind, time, attrs, seq, received } : { id, mac, source, kind, time, attrs, seq, received };
  return mac === undefined ? { id, host, source, kind, time, attrs, seq, received } : { id, host, mac, source, kind, time, attrs, seq, received };
}

/** The events of a batch that were new, in store order, from the rowids the insert gave them. */
export function storedFrom(events: readonly LabEvent[], seqs: Float64Array, at: number, received: string): StoredEvent[] {
  const stored: StoredEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const seq = seqs[at + i]!;
    if (seq > 0) stored.push(storedEvent(events[i]!, seq, received));
  }
  // New rows are numbered in the order sent; an id that repeats in the group breaks that.
  for (let i = 1; i < stored.length; i++) {
    if (stored[i]!.seq < stored[i - 1]!.seq) {
      stored.sort((a, b) => a.seq - b.seq);
      break;
    }
  }
  return stored;
}

/** A row of `SELECT rowid AS seq, * FROM events`. */
export interface EventRow {
  seq: number;
  id: string;
  host: string | null;
  mac: string | null;
  source: string;
  kind: string;
  time: string;
  received: string;
  attrs: string;
}

export function fromRow(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    seq: r.seq,
    id: r.id,
    source: r.source as StoredEvent['source'],
    kind: r.kind,
    time: r.time,
    received: r.received,
    attrs: JSON.parse(r.attrs) as Record<string, unknown>,
  };
  if (r.host !== null) e.host = r.host;
  if (r.mac !== null) e.mac = r.mac;
  return e;
}
