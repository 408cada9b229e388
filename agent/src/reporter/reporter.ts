import { randomBytes } from 'node:crypto';
import { EventSchema, type LabEvent, type EventSource } from '@lab/shared';
import { Spool } from './spool.js';
import { backoffDelay } from './backoff.js';
import { postBatch, RejectedBatch } from './sender.js';

export interface ReporterOptions {
  collectorUrl: string;
  token: string;
  spoolDir: string;
  maxEvents: number;
  /** Identity stamped on events that do not name a host or MAC themselves. */
  host?: string;
  mac?: string;
  batchSize?: number;
  /** Wait this long after an event so neighbours share a request. */
  lingerMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Keeps this many recent events for the status endpoint. */
  recent?: number;
  /** One line per problem worth an operator's attention (the spool's disk refusing writes). */
  log?: (line: string) => void;
}

export interface EventInput {
  source: EventSource;
  kind: string;
  host?: string;
  mac?: string;
  attrs?: Record<string, unknown>;
}

export interface ReporterState {
  spoolDepth: number;
  collectorReachable: boolean | null;
  lastError: string | null;
  lastAckAt: string | null;
  sent: number;
  /** Events the collector refused for good (for example a host name the lab does not have). */
  rejected: number;
  /** Why the spool's disk refuses writes (events then wait in memory), or null. */
  spoolError: string | null;
  /** Events dropped since start to keep the spool within maxEvents. */
  dropped: number;
}

export type Listener = (event: LabEvent) => void;

/**
 * Turns observations into events with stable ids, spools them durably, and sends them in batches
 * until the collector acknowledges each one (at least once; the collector keys on `id`).
 */
export class Reporter {
  private readonly spool: Spool;
  private readonly opts: Required<Omit<ReporterOptions, 'host' | 'mac' | 'log'>> & Pick<ReporterOptions, 'host' | 'mac'>;
  /** Ids are `<run>-<seq>`: unique per process run, fixed once spooled, so retries reuse them. */
  private readonly runId = randomBytes(6).toString('hex');
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending = false;
  private attempt = 0;
  /** No request before this time: a failed send's backoff holds whatever else asks for a flush. */
  private notBefore = 0;
  /** Id of the marker that tells the collector how many events were dropped, until it is acknowledged. */
  private markerId: string | null = null;
  private stopped = false;
  /** After a refused batch, its entries are retried one by one so only the bad ones are dropped. */
  private isolate = 0;
  private readonly recentEvents: LabEvent[] = [];
  private readonly listeners: Listener[] = [];
  readonly state: ReporterState;

  constructor(opts: ReporterOptions) {
    const { log, ...rest } = opts;
    this.opts = { batchSize: 200, lingerMs: 20, backoffBaseMs: 250, backoffCapMs: 30_000, recent: 50, ...rest };
    const spool = new Spool({ dir: opts.spoolDir, maxEvents: opts.maxEvents, onProblem: log ?? (() => {}) });
    this.spool = spool;
    this.state = {
      spoolDepth: 0,
      collectorReachable: null,
      lastError: null,
      lastAckAt: null,
      sent: 0,
      rejected: 0,
      get spoolError() {
        return spool.diskError;
      },
      get dropped() {
        return spool.droppedTotal;
      },
    };
  }

  start(): void {
    this.spool.open();
    this.state.spoolDepth = this.spool.depth;
    if (this.spool.depth > 0 || this.spool.droppedUnreported > 0) this.schedule(0);
  }

  /**
   * Records an event without touching the disk (the spool writes it on the next turn of the event
   * loop), so a reply path can call it before answering. Throws only when the input breaks the
   * wire protocol (a programming error).
   */
  emit(input: EventInput): LabEvent {
    const host = input.host ?? (input.mac === undefined ? this.opts.host : undefined);
    const mac = input.mac ?? (input.host === undefined ? this.opts.mac : undefined);
    const event = EventSchema.parse({
      id: `${this.runId}-${++this.seq}`,
      source: input.source,
      kind: input.kind,
      time: new Date().toISOString(),
      attrs: input.attrs ?? {},
      ...(host !== undefined ? { host } : {}),
      ...(mac !== undefined ? { mac } : {}),
    });
    this.spool.append(event);
    this.state.spoolDepth = this.spool.depth;
    this.recentEvents.push(event);
    if (this.recentEvents.length > this.opts.recent) this.recentEvents.shift();
    for (const l of this.listeners) l(event);
    this.schedule(this.opts.lingerMs);
    return event;
  }

  onEvent(listener: Listener): void {
    this.listeners.push(listener);
  }

  recent(): LabEvent[] {
    return [...this.recentEvents];
  }

  /** Resolves once everything spooled so far is acknowledged, or rejects after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.spool.depth > 0 || this.spool.droppedUnreported > 0) {
      if (Date.now() > until) throw new Error(`spool still holds ${this.spool.depth} events after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.spool.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.sending || this.timer) return;
    const wait = Math.max(delayMs, this.notBefore - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  /**
   * Drops are reported by one marker event that is never spooled (so it cannot push a real event
   * out of a full spool); its count stays in the spool's cursor until the collector has it. The
   * marker keeps its id across retries and carries the count as of each attempt, so an outage
   * yields one marker with the full count.
   */
  private async sendMarker(): Promise<void> {
    const count = this.spool.droppedUnreported;
    const marker = EventSchema.parse({
      id: this.markerId ?? `${this.runId}-dropped-${++this.seq}`,
      source: 'agent',
      kind: 'agent.spool-dropped',
      time: new Date().toISOString(),
      attrs: { count, maxEvents: this.opts.maxEvents },
      ...(this.opts.host !== undefined ? { host: this.opts.host } : this.opts.mac !== undefined ? { mac: this.opts.mac } : { host: 'agent' }),
    });
    this.markerId = marker.id;
    try {
      await postBatch(this.opts.collectorUrl, this.opts.token, [marker]);
    } catch (err) {
      if (!(err instanceof RejectedBatch)) throw err;
    }
    this.spool.reportedDropped(count);
    this.markerId = null;
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.sending) return;
    if (this.spool.droppedUnreported > 0) {
      this.sending = true;
      try {
        await this.sendMarker();
        this.sending = false;
      } catch (err) {
        return this.failed(err);
      }
      if (this.stopped) return;
    }
    const batch = this.spool.peek(this.isolate > 0 ? 1 : this.opts.batchSize);
    if (batch.take === 0) return this.spool.droppedUnreported > 0 ? this.schedule(0) : undefined;
    this.sending = true;
    try {
      try {
        if (batch.events.length > 0) await postBatch(this.opts.collectorUrl, this.opts.token, batch.events);
      } catch (err) {
        if (!(err instanceof RejectedBatch)) throw err;
        if (batch.events.length > 1) {
          // Find the bad event(s): resend these entries one at a time.
          this.isolate = batch.take;
          this.sending = false;
          this.state.lastError = err.message;
          return this.schedule(0);
        }
        this.state.rejected += batch.events.length;
        this.state.lastError = err.message;
        const refused = batch.events[0];
        if (refused && refused.kind !== 'agent.event-rejected') {
          this.emit({ source: 'agent', kind: 'agent.event-rejected', attrs: { kind: refused.kind, id: refused.id, status: err.status, reason: err.message.slice(0, 300) } });
        }
      }
      if (this.stopped) return;
      if (this.isolate > 0) this.isolate = Math.max(0, this.isolate - batch.take);
      this.spool.ack(batch.take);
      this.attempt = 0;
      this.notBefore = 0;
      this.state.collectorReachable = true;
      this.state.lastError = null;
      this.state.lastAckAt = new Date().toISOString();
      this.state.sent += batch.events.length;
      this.state.spoolDepth = this.spool.depth;
      this.sending = false;
      if (this.spool.depth > 0 || this.spool.droppedUnreported > 0) this.schedule(0);
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.sending = false;
    this.state.collectorReachable = false;
    this.state.lastError = err instanceof Error ? err.message : String(err);
    const delay = backoffDelay(this.attempt++, this.opts.backoffBaseMs, this.opts.backoffCapMs);
    this.notBefore = Date.now() + delay;
    this.schedule(delay);
  }
}
