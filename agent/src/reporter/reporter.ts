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
}

export type Listener = (event: LabEvent) => void;

/**
 * Turns observations into events with stable ids, spools them durably, and sends them in batches
 * until the collector acknowledges each one (at least once; the collector keys on `id`).
 */
export class Reporter {
  private readonly spool: Spool;
  private readonly opts: Required<Omit<ReporterOptions, 'host' | 'mac'>> & Pick<ReporterOptions, 'host' | 'mac'>;
  /** Ids are `<run>-<seq>`: unique per process run, fixed once spooled, so retries reuse them. */
  private readonly runId = randomBytes(6).toString('hex');
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending = false;
  private attempt = 0;
  private stopped = false;
  /** After a refused batch, its entries are retried one by one so only the bad ones are dropped. */
  private isolate = 0;
  private readonly recentEvents: LabEvent[] = [];
  private readonly listeners: Listener[] = [];
  readonly state: ReporterState = { spoolDepth: 0, collectorReachable: null, lastError: null, lastAckAt: null, sent: 0, rejected: 0 };

  constructor(opts: ReporterOptions) {
    this.opts = { batchSize: 200, lingerMs: 20, backoffBaseMs: 250, backoffCapMs: 30_000, recent: 50, ...opts };
    this.spool = new Spool({ dir: opts.spoolDir, maxEvents: opts.maxEvents });
  }

  start(): void {
    this.spool.open();
    this.state.spoolDepth = this.spool.depth;
    if (this.spool.depth > 0 || this.spool.droppedUnreported > 0) this.schedule(0);
  }

  /** Records an event; throws only when the input breaks the wire protocol (a programming error). */
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
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.sending) return;
    if (this.spool.droppedUnreported > 0) {
      const count = this.spool.droppedUnreported;
      this.spool.droppedUnreported = 0;
      this.emit({ source: 'agent', kind: 'agent.spool-dropped', attrs: { count } });
    }
    const batch = this.spool.peek(this.isolate > 0 ? 1 : this.opts.batchSize);
    if (batch.take === 0) return;
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
      this.state.collectorReachable = true;
      this.state.lastError = null;
      this.state.lastAckAt = new Date().toISOString();
      this.state.sent += batch.events.length;
      this.state.spoolDepth = this.spool.depth;
      this.sending = false;
      if (this.spool.depth > 0) this.schedule(0);
    } catch (err) {
      this.sending = false;
      this.state.collectorReachable = false;
      this.state.lastError = err instanceof Error ? err.message : String(err);
      this.schedule(backoffDelay(this.attempt++, this.opts.backoffBaseMs, this.opts.backoffCapMs));
    }
  }
}
