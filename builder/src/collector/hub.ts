import { EventEmitter } from 'node:events';
import { FactFolder, statusFromFacts, type GenesisPlan, type GenesisStatus, type LabEvent } from '@lab/shared';
import type { HostDirectory } from './directory.js';
import { Metrics } from './metrics.js';
import type { EventStore, InsertResult, StoredEvent } from './store.js';
import type { StoreWriter } from './writer.js';
import { storedFrom } from './event-rows.js';

export interface HubOptions {
  store: EventStore;
  plan: GenesisPlan;
  directory: HostDirectory;
  /** Stall threshold overrides in minutes, by rule or check id. */
  thresholds?: Record<string, number>;
  now?: () => Date;
  /** Writes queued ingest from a worker thread (the running server); without it they are written here. */
  writer?: StoreWriter;
  /** One line per problem an operator must see (a full disk, an ingest path's failure). */
  log?: (line: string) => void;
  /** The status's demo label (a rehearsal with demo stand-ins), shown by every view. */
  demo?: string;
}

/**
 * The collector's core: every ingest path hands it events; it stores them, folds the new ones
 * into the phase model's facts, and tells subscribers (SSE clients, the terminal watcher).
 */
export class CollectorHub extends EventEmitter {
  readonly store: EventStore;
  readonly plan: GenesisPlan;
  readonly directory: HostDirectory;
  readonly metrics = new Metrics();
  readonly startedAt: string;
  private readonly folder: FactFolder;
  private readonly thresholds: Record<string, number>;
  private readonly now: () => Date;
  private cached?: GenesisStatus;
  private readonly logLine: (line: string) => void;
  private readonly demo?: string;
  private lastProblem = new Map<string, { at: number; suppressed: number }>();
  private readonly writer?: StoreWriter;
  /** A group is being written by the writer thread. */
  private writing = false;
  /** Events stored meanwhile on this thread: published with that group, in store order. */
  private held: StoredEvent[] = [];

  constructor(options: HubOptions) {
    super();
    this.setMaxListeners(0);
    this.store = options.store;
    this.plan = options.plan;
    this.directory = options.directory;
    this.thresholds = options.thresholds ?? {};
    this.now = options.now ?? (() => new Date());
    this.writer = options.writer;
    this.logLine = options.log ?? (() => {});
    if (options.demo !== undefined) this.demo = options.demo;
    this.startedAt = this.store.startedAt(this.now().toISOString());
    this.folder = new FactFolder(this.plan);
    // Replay the store once at start: a restarted collector shows the same status.
    let since = 0;
    for (;;) {
      const page = this.store.list({ since, limit: 5000 });
      for (const e of page) {
        this.folder.add(e);
        this.noteLease(e);
      }
      if (page.length < 5000) break;
      since = page[page.length - 1]!.seq;
    }
  }

  /** Stores events (hosts already resolved and checked) now, and publishes the new ones. */
  ingest(events: LabEvent[], via: string): InsertResult {
    const [result] = this.commit([{ events, via }]);
    return result!;
  }

  /**
   * Group commit: batches that arrive in the same turn of the event loop (or, with the writer
   * thread, while its previous write is being made durable) are stored in one transaction, and
   * each promise resolves only after that transaction is durable — so an HTTP answer still means
   * "on disk", at a fraction of the fsyncs.
   */
  ingestQueued(events: LabEvent[], via: string): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, via, resolve, reject });
      // While the writer thread is busy the queue grows into the next group; its answer sends it.
      if (this.queue.length === 1 && !this.writing) setImmediate(() => this.flush());
    });
  }

  private readonly queue: { events: LabEvent[]; via: string; resolve: (r: InsertResult) => void; reject: (e: unknown) => void }[] = [];

  private flush(): void {
    if (this.writer) {
      this.flushToWriter(this.writer);
      return;
    }
    const pending = this.queue.splice(0, this.queue.length);
    if (pending.length === 0) return;
    let results: InsertResult[];
    try {
      results = this.commit(pending);
    } catch (err) {
      for (const p of pending) p.reject(err);
      return;
    }
    pending.forEach((p, i) => p.resolve(results[i]!));
  }

  /** Sends every queued batch to the writer thread as one transaction; resolves each once durable. */
  private flushToWriter(writer: StoreWriter): void {
    if (this.writing || this.queue.length === 0) return;
    const pending = this.queue.splice(0, this.queue.length);
    const received = this.now().toISOString();
    this.writing = true;
    let written: Promise<Float64Array>;
    try {
      written = writer.write(pending.map((p) => p.events), received);
    } catch (err) {
      // Thrown while preparing the write (outside any request): it belongs to these batches only.
      written = Promise.reject(err);
    }
    written.then(
      (seqs) => {
        let at = 0;
        const results = pending.map((p): InsertResult => {
          const stored = storedFrom(p.events, seqs, at, received);
          at += p.events.length;
          return { inserted: stored.length, duplicates: p.events.length - stored.length, stored };
        });
        this.writing = false;
        this.publish(pending, results);
        pending.forEach((p, i) => p.resolve(results[i]!));
        this.flushToWriter(writer);
      },
      (err: unknown) => {
        this.writing = false;
        this.publish([], []);
        for (const p of pending) p.reject(err);
        this.flushToWriter(writer);
      },
    );
  }

  private commit(batches: { events: LabEvent[]; via: string }[]): InsertResult[] {
    const results = this.store.insertBatches(batches.map((b) => b.events), this.now().toISOString());
    this.publish(batches, results);
    return results;
  }

  /** Counts, folds and announces what was stored, in store order (held while the writer is busy). */
  private publish(batches: { via: string }[], results: InsertResult[]): void {
    const fresh: StoredEvent[] = [];
    results.forEach((r, i) => {
      this.metrics.countIngest(batches[i]!.via, r.inserted, r.duplicates);
      for (const e of r.stored) fresh.push(e);
    });
    if (this.writing) {
      for (const e of fresh) this.held.push(e);
      return;
    }
    if (this.held.length > 0) {
      for (const e of fresh) this.held.push(e);
      fresh.length = 0;
      fresh.push(...this.held.sort((a, b) => a.seq - b.seq));
      this.held = [];
    }
    if (fresh.length > 0) {
      for (const e of fresh) {
        this.folder.add(e);
        this.noteLease(e);
      }
      this.cached = undefined;
      this.emit('events', fresh);
    }
  }

  /**
   * Logs a problem and counts it in /metrics under `reason`. The same reason is logged at most
   * every 10 s (with how many were not), so a flood of hostile input cannot flood the log.
   */
  problem(reason: string, line: string): void {
    this.metrics.countRejected(reason);
    const now = Date.now();
    const last = this.lastProblem.get(reason);
    if (last && now - last.at < 10_000) {
      last.suppressed++;
      return;
    }
    this.lastProblem.set(reason, { at: now, suppressed: 0 });
    this.logLine(last?.suppressed ? `${line} (and ${last.suppressed} more like it)` : line);
  }

  /** Our PXE service's lease: that address may speak for the MAC's host on Talos's streams. */
  private noteLease(e: StoredEvent): void {
    if (e.kind === 'dhcp.ack' && e.source === 'pxe' && e.host && typeof e.attrs.ip === 'string') this.directory.leased(e.attrs.ip, e.host);
  }

  /** The current status (cached until the next event or `refresh`). */
  status(): GenesisStatus {
    if (!this.cached) {
      const status = statusFromFacts(this.plan, this.folder.facts, { startedAt: this.startedAt, now: this.now().toISOString(), thresholds: this.thresholds });
      this.cached = this.demo !== undefined ? { ...status, demo: this.demo } : status;
    }
    return this.cached;
  }

  /** Stall clocks run with time: drop the cache so the next status() recomputes. */
  refresh(): void {
    this.cached = undefined;
    this.emit('tick');
  }
}
