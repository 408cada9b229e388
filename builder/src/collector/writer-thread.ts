// The collector's writer thread: its own bundle entry (builder/dist/collector-writer.js, see
// scripts/build.mjs), started by StoreWriter (writer.ts). Each message is one transaction holding
// every batch that waited while the previous one was being made durable; it answers per event
// the rowid when new, 0 when the id was already stored — with the same insert as EventStore.
import { parentPort, workerData } from 'node:worker_threads';
import { EventInserter, openEventDb, VALUES_PER_EVENT } from './event-rows.js';

export interface WriteRequest {
  /**
   * VALUES_PER_EVENT values per event, batch after batch, as one JSON text: copying one string
   * to the thread costs far less than cloning thousands of values.
   */
  values: string;
  /** Events per batch. */
  counts: number[];
  received: string;
}

export interface WriteAnswer {
  /** Per event, its rowid when it was new, 0 when its id was already stored. */
  seqs?: Float64Array;
  error?: string;
}

export interface WriterData {
  file: string;
}

const port = parentPort;
if (port) {
  const db = openEventDb((workerData as WriterData).file);
  const inserter = new EventInserter(db);
  const write = db.transaction((req: WriteRequest): Float64Array => {
    const values = JSON.parse(req.values) as (string | null)[];
    const seqs = new Float64Array(values.length / VALUES_PER_EVENT);
    let at = 0;
    for (const count of req.counts) {
      inserter.insert(values, at, count, req.received, seqs);
      at += count;
    }
    return seqs;
  });
  port.on('message', (req: WriteRequest | 'close') => {
    if (req === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      const seqs = write(req);
      port.postMessage({ seqs } satisfies WriteAnswer, [seqs.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies WriteAnswer);
    }
  });
}
