import Database from 'better-sqlite3';
import type { LabEvent } from '@lab/shared';

/** An event as stored: the wire event plus the collector's own sequence number and receive time. */
export interface StoredEvent extends LabEvent {
  /** Monotonic position in the store; `since` cursors page on it. */
  seq: number;
  /** When the collector stored it (RFC 3339). */
  received: string;
}

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

/** Rows per INSERT statement (8 parameters each, far below SQLite's 32766-parameter limit). */
const CHUNK = 100;

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

interface Row {
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

function fromRow(r: Row): StoredEvent {
  const e: StoredEvent = {
    seq: r.seq,
    id: r.id,
    source: r.source as LabEvent['source'],
    kind: r.kind,
    time: r.time,
    received: r.received,
    attrs: JSON.parse(r.attrs) as Record<string, unknown>,
  };
  if (r.host !== null) e.host = r.host;
  if (r.mac !== null) e.mac = r.mac;
  return e;
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
    this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      // Checkpoint less often than every 1000 pages: fewer main-file fsyncs under steady ingest.
      this.db.pragma('wal_autocheckpoint = 8000');
      this.db.exec(SCHEMA);
    }
    this.db.pragma('busy_timeout = 5000');
    this.insertMany = this.db.transaction((batches: LabEvent[][], received: string) => batches.map((events) => this.insertChunked(events, received)));
  }

  private readonly chunkStmts = new Map<number, Database.Statement>();

  private newRowsStmt?: Database.Statement;

  private newRows(after: number, last: number): { id: string; seq: number }[] {
    this.newRowsStmt ??= this.db.prepare('SELECT id, rowid AS seq FROM events WHERE rowid > ? AND rowid <= ?');
    return this.newRowsStmt.all(after, last) as { id: string; seq: number }[];
  }

  /** A multi-row INSERT for n rows: one native call per chunk instead of per event. */
  private chunkStatement(n: number): Database.Statement {
    let stmt = this.chunkStmts.get(n);
    if (!stmt) {
      const rows = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(`INSERT OR IGNORE INTO events (id, host, mac, source, kind, time, received, attrs) VALUES ${rows}`);
      this.chunkStmts.set(n, stmt);
    }
    return stmt;
  }

  /**
   * Which rows of a chunk are new, and their rowids. SQLite gives a new row the largest rowid + 1
   * (the table has no AUTOINCREMENT and never deletes) and inserts a VALUES list in order, inside
   * our write transaction: the `changes` new rows hold rowids last-changes+1 … last. When every row
   * is new they are the chunk in order; otherwise the range says which ids they are. This replaces
   * RETURNING, which cost a result row per event.
   */
  private insertChunked(events: LabEvent[], received: string): StoredEvent[] {
    const stored: StoredEvent[] = [];
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.length <= CHUNK ? events : events.slice(i, i + CHUNK);
      const params: unknown[] = new Array<unknown>(chunk.length * 8);
      let k = 0;
      for (const e of chunk) {
        params[k++] = e.id;
        params[k++] = e.host ?? null;
        params[k++] = e.mac ?? null;
        params[k++] = e.source;
        params[k++] = e.kind;
        params[k++] = e.time;
        params[k++] = received;
        params[k++] = JSON.stringify(e.attrs ?? {});
      }
      const info = this.chunkStatement(chunk.length).run(...params);
      if (info.changes === 0) continue;
      const last = Number(info.lastInsertRowid);
      const first = last - info.changes + 1;
      if (info.changes === chunk.length) {
        for (let j = 0; j < chunk.length; j++) stored.push({ ...chunk[j]!, seq: first + j, received });
        continue;
      }
      // Some were already stored (or an id repeats within the chunk: new once, at its first occurrence).
      const seqById = new Map<string, number>();
      for (const r of this.newRows(first - 1, last)) seqById.set(r.id, r.seq);
      for (const e of chunk) {
        const seq = seqById.get(e.id);
        if (seq !== undefined) {
          seqById.delete(e.id);
          stored.push({ ...e, seq, received });
        }
      }
    }
    return stored.sort((a, b) => a.seq - b.seq);
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
    return (rows as Row[]).map(fromRow);
  }

  /** The last `limit` events of a host (or of all hosts), oldest first (the dashboard's timeline and its recent history). */
  tail(host: string | undefined, limit: number): StoredEvent[] {
    const rows = (host === undefined
      ? this.db.prepare('SELECT rowid AS seq, * FROM events ORDER BY rowid DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT rowid AS seq, * FROM events WHERE host = ? ORDER BY rowid DESC LIMIT ?').all(host, limit)) as Row[];
    return rows.reverse().map(fromRow);
  }

  /** Every event whose kind is in `kinds` (or whose source is in `sources`), in store order. */
  listMeaningful(kinds: readonly string[], sources: readonly string[]): StoredEvent[] {
    const k = kinds.map(() => '?').join(',') || "''";
    const s = sources.map(() => '?').join(',') || "''";
    const rows = this.db
      .prepare(`SELECT rowid AS seq, * FROM events WHERE kind IN (${k}) OR source IN (${s}) ORDER BY rowid`)
      .all(...kinds, ...sources);
    return (rows as Row[]).map(fromRow);
  }

  /** Last event time (received) per host, for hosts that report only unmodelled kinds. */
  lastSeen(): Map<string, { received: string; kind: string }> {
    const rows = this.db
      .prepare('SELECT host, MAX(rowid) AS seq FROM events WHERE host IS NOT NULL GROUP BY host')
      .all() as { host: string; seq: number }[];
    const out = new Map<string, { received: string; kind: string }>();
    const one = this.db.prepare('SELECT received, kind FROM events WHERE rowid = ?');
    for (const r of rows) {
      const row = one.get(r.seq) as { received: string; kind: string } | undefined;
      if (row) out.set(r.host, row);
    }
    return out;
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
