import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LabEvent } from '@lab/shared';

interface WriteRequest {
  /**
   * Seven values per event (id, host, mac, source, kind, time, attrs as JSON), batch after batch,
   * as one JSON text: copying one string to the thread costs far less than cloning thousands.
   */
  values: string;
  /** Events per batch. */
  counts: number[];
  received: string;
}

interface WriteAnswer {
  /** Per event, its rowid when it was new, 0 when its id was already stored. */
  seqs?: Float64Array;
  error?: string;
}

/**
 * The writer thread, as source text: a bundler rewrites `require` in code it can see, and the
 * worker must run the same text under vitest, esbuild's bundles and the CLI. Each message is one
 * transaction holding every batch that waited while the previous one was being made durable; it
 * answers per event the rowid when new, 0 when the id was already stored. New rows get the largest
 * rowid + 1 in VALUES order, as in EventStore.insertChunked.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 8000');
db.pragma('busy_timeout = 5000');
const N = 7;
const CHUNK = 100;
const stmts = new Map();
function statement(n) {
  let s = stmts.get(n);
  if (!s) {
    const rows = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    s = db.prepare('INSERT OR IGNORE INTO events (id, host, mac, source, kind, time, received, attrs) VALUES ' + rows);
    stmts.set(n, s);
  }
  return s;
}
const newRows = db.prepare('SELECT id, rowid AS seq FROM events WHERE rowid > ? AND rowid <= ?');
const write = db.transaction((req) => {
  req.values = JSON.parse(req.values);
  const seqs = new Float64Array(req.values.length / N);
  let at = 0;
  for (const count of req.counts) {
    for (let i = 0; i < count; i += CHUNK) {
      const n = Math.min(CHUNK, count - i);
      const from = at + i;
      const params = new Array(n * 8);
      let k = 0;
      for (let j = 0; j < n; j++) {
        const v = (from + j) * N;
        for (let f = 0; f < 6; f++) params[k++] = req.values[v + f];
        params[k++] = req.received;
        params[k++] = req.values[v + 6];
      }
      const info = statement(n).run(...params);
      if (info.changes === 0) continue;
      const last = Number(info.lastInsertRowid);
      const first = last - info.changes + 1;
      if (info.changes === n) {
        for (let j = 0; j < n; j++) seqs[from + j] = first + j;
        continue;
      }
      const seqById = new Map();
      for (const r of newRows.all(first - 1, last)) seqById.set(r.id, r.seq);
      for (let j = 0; j < n; j++) {
        const id = req.values[(from + j) * N];
        const seq = seqById.get(id);
        if (seq !== undefined) {
          seqById.delete(id);
          seqs[from + j] = seq;
        }
      }
    }
    at += count;
  }
  return seqs;
});
parentPort.on('message', (req) => {
  if (req === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const seqs = write(req);
    parentPort.postMessage({ seqs }, [seqs.buffer]);
  } catch (err) {
    parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
`;

/**
 * Writes events to the store from a worker thread, so the main thread parses and checks the next
 * requests while SQLite inserts and fsyncs the last ones: the two halves of ingest use both cores.
 * One write at a time; `write` answers only once its transaction is durable (synchronous=FULL).
 */
export class StoreWriter {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (a: WriteAnswer) => void }[] = [];
  private failure?: Error;

  constructor(file: string) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { file, sqlite } });
    this.worker.on('message', (a: WriteAnswer) => this.waiting.shift()?.resolve(a));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => {
      this.exited = true;
      this.fail(new Error('the writer thread stopped'));
    });
  }

  private exited = false;

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.resolve({ error: err.message });
  }

  /** Stores batches in one transaction; per event its sequence number, or 0 when it was a duplicate. */
  write(batches: readonly LabEvent[][], received: string): Promise<Float64Array> {
    if (this.failure) return Promise.reject(this.failure);
    const counts = batches.map((b) => b.length);
    const values: (string | null)[] = [];
    for (const b of batches) {
      for (const e of b) values.push(e.id, e.host ?? null, e.mac ?? null, e.source, e.kind, e.time, JSON.stringify(e.attrs ?? {}));
    }
    const req: WriteRequest = { values: JSON.stringify(values), counts, received };
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve: (a) => (a.seqs ? resolve(a.seqs) : reject(new Error(`the event store could not write: ${a.error}`))) });
      this.worker.postMessage(req);
    });
  }

  /** Closes the writer's connection once the writes already sent are done. */
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('close');
    });
  }
}
