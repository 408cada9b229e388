import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LabEvent } from '@lab/shared';
import { pushEventValues } from './event-rows.js';
import type { WriteAnswer, WriteRequest, WriterData } from './writer-thread.js';

/**
 * Where the writer thread's bundle is: `@lab/builder/collector-writer` (builder/package.json),
 * resolved the same from the CLI bundle, from the sources under test and from a benchmark's bundle.
 */
function writerEntry(): string {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('@lab/builder/collector-writer');
  } catch (err) {
    throw new Error('the collector writer thread is not built (builder/dist/collector-writer.js): run `npm run build`', { cause: err });
  }
  if (!existsSync(path)) throw new Error(`the collector writer thread is not built (${path}): run \`npm run build\``);
  return path;
}

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
    this.worker = new Worker(writerEntry(), { workerData: { file } satisfies WriterData });
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
    for (const b of batches) for (const e of b) pushEventValues(e, values);
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
