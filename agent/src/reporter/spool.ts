import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LabEvent } from '@lab/shared';

/**
 * A durable, bounded queue of events on disk. Events are appended as JSON lines to
 * `spool-<gen>.log` and fsynced before `append` returns; `cursor.json` names the generation and
 * how many bytes of it the collector has acknowledged. Compaction writes the unacknowledged tail
 * to the next generation, then moves the cursor, so a crash at any point leaves one consistent pair.
 */
export interface SpoolOptions {
  dir: string;
  maxEvents: number;
  /** Compact once this many acknowledged bytes sit at the head of the log. */
  compactBytes?: number;
}

interface Entry {
  /** null for a line that no longer parses; it is acknowledged along with its neighbours. */
  event: LabEvent | null;
  bytes: number;
}

/** A batch read from the head of the spool; `take` entries are acknowledged together. */
export interface SpoolBatch {
  events: LabEvent[];
  take: number;
}

interface Cursor {
  gen: number;
  offset: number;
}

export class Spool {
  private readonly dir: string;
  private readonly maxEvents: number;
  private readonly compactBytes: number;
  private pending: Entry[] = [];
  private cursor: Cursor = { gen: 0, offset: 0 };
  private fd = -1;
  private fileBytes = 0;
  /** Events dropped to stay within maxEvents and not yet reported. */
  droppedUnreported = 0;

  constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxEvents = opts.maxEvents;
    this.compactBytes = opts.compactBytes ?? 1 << 20;
  }

  /** Opens the spool, recovering unacknowledged events left by an earlier run. */
  open(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const cursorPath = join(this.dir, 'cursor.json');
    if (existsSync(cursorPath)) {
      try {
        const c = JSON.parse(readFileSync(cursorPath, 'utf8')) as Cursor;
        if (Number.isInteger(c.gen) && Number.isInteger(c.offset)) this.cursor = c;
      } catch {
        // A cursor that cannot be read means start from the log's head: at-least-once.
      }
    }
    for (const name of readdirSync(this.dir)) {
      const m = /^spool-(\d+)\.log$/.exec(name);
      if (m && Number(m[1]) !== this.cursor.gen) unlinkSync(join(this.dir, name));
    }
    const logPath = this.logPath(this.cursor.gen);
    const data = existsSync(logPath) ? readFileSync(logPath) : Buffer.alloc(0);
    this.fileBytes = data.length;
    let pos = Math.min(this.cursor.offset, data.length);
    while (pos < data.length) {
      const nl = data.indexOf(10, pos);
      if (nl < 0) break; // a torn last line from a crash mid-write: never acknowledged, skip it
      const line = data.subarray(pos, nl + 1);
      try {
        this.pending.push({ event: JSON.parse(line.toString('utf8')) as LabEvent, bytes: line.length });
      } catch {
        this.pending.push({ event: null, bytes: line.length });
      }
      pos = nl + 1;
    }
    if (pos < data.length) this.fileBytes = pos;
    this.fd = openSync(logPath, 'a', 0o600);
    if (pos < data.length) {
      // Rewrite without the torn tail so later appends start on a line boundary.
      closeSync(this.fd);
      this.rewrite(this.cursor.gen, data.subarray(0, pos), this.cursor.offset);
    }
    while (this.pending.length > this.maxEvents) this.dropOldest();
  }

  get depth(): number {
    return this.pending.length;
  }

  append(event: LabEvent): void {
    if (this.fd < 0) throw new Error('spool is not open');
    const line = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.fileBytes += line.length;
    this.pending.push({ event, bytes: line.length });
    while (this.pending.length > this.maxEvents) this.dropOldest();
  }

  /** Up to `n` of the oldest unacknowledged events, in order. */
  peek(n: number): SpoolBatch {
    const events: LabEvent[] = [];
    let take = 0;
    for (const e of this.pending) {
      if (events.length >= n) break;
      take++;
      if (e.event) events.push(e.event);
    }
    return { events, take };
  }

  /** Marks the oldest `n` events acknowledged and persists that. */
  ack(n: number): void {
    const done = this.pending.splice(0, n);
    this.cursor.offset += done.reduce((s, e) => s + e.bytes, 0);
    this.writeCursor();
    if (this.cursor.offset >= this.compactBytes) this.compact();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private dropOldest(): void {
    const gone = this.pending.shift();
    if (!gone) return;
    this.cursor.offset += gone.bytes;
    this.droppedUnreported++;
    this.writeCursor();
  }

  private compact(): void {
    this.pending = this.pending.filter((e) => e.event !== null);
    const lines = this.pending.map((e) => Buffer.from(JSON.stringify(e.event) + '\n', 'utf8'));
    lines.forEach((l, i) => {
      const entry = this.pending[i];
      if (entry) entry.bytes = l.length;
    });
    const tail = Buffer.concat(lines);
    closeSync(this.fd);
    const old = this.cursor.gen;
    this.rewrite(old + 1, tail, 0);
    unlinkSync(this.logPath(old));
  }

  private rewrite(gen: number, content: Buffer, offset: number): void {
    const path = this.logPath(gen);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    this.syncDir();
    this.cursor = { gen, offset };
    this.writeCursor();
    this.fileBytes = content.length;
    this.fd = openSync(path, 'a', 0o600);
  }

  private writeCursor(): void {
    const path = join(this.dir, 'cursor.json');
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, JSON.stringify(this.cursor));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  }

  private syncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private logPath(gen: number): string {
    return join(this.dir, `spool-${gen}.log`);
  }
}
