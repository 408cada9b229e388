import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LabEvent } from '@lab/shared';
import { recoverLines } from './spool-recover.js';

/**
 * A durable, bounded queue of events on disk. Events are appended as JSON lines to
 * `spool-<gen>.log`; `cursor.json` names the generation, how many bytes of it the collector has
 * acknowledged, and how many events were dropped and not yet reported. Compaction writes the
 * unacknowledged tail to the next generation, then moves the cursor, so a crash at any point
 * leaves one consistent pair.
 *
 * `append` never touches the disk: the PXE service calls it on its reply path, and a slow or full
 * disk must not delay or drop a DHCP or TFTP answer. Appended events are written and fsynced
 * together on the next turn of the event loop; while the disk refuses (ENOSPC, EIO), they stay
 * in memory (still bounded by maxEvents, still sent) and the write is retried.
 */
export interface SpoolOptions {
  dir: string;
  maxEvents: number;
  /** Compact once this many acknowledged or dropped bytes sit at the head of the log. */
  compactBytes?: number;
  /** How long to wait before writing again after the disk refused. */
  retryMs?: number;
  /** Told once when the disk starts refusing and once when it takes writes again. */
  onProblem?: (message: string) => void;
}

interface Entry {
  /** null for a line that no longer parses; it is acknowledged along with its neighbours. */
  event: LabEvent | null;
  /** Bytes of its line in the current log, once written; 0 while it is only in memory. */
  bytes: number;
  onDisk: boolean;
}

/** A batch read from the head of the spool; `take` entries are acknowledged together. */
export interface SpoolBatch {
  events: LabEvent[];
  take: number;
}

interface Cursor {
  gen: number;
  offset: number;
  /** Dropped events not yet reported to the collector. */
  dropped: number;
}

export class Spool {
  private readonly dir: string;
  private readonly maxEvents: number;
  private readonly compactBytes: number;
  private readonly retryMs: number;
  private readonly onProblem: (message: string) => void;
  /** Oldest first; the entries on disk are always a prefix (writes go in order). */
  private pending: Entry[] = [];
  private cursor: Cursor = { gen: 0, offset: 0, dropped: 0 };
  private cursorDirty = false;
  private fd = -1;
  private fileBytes = 0;
  /** A failed write whose partial bytes could not be cut off: the next write starts a new line. */
  private tornTail = false;
  private writeScheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  /** Why the disk refuses the last write, or null when it takes them. */
  diskError: string | null = null;
  /** Events dropped to stay within maxEvents since this spool was opened. */
  droppedTotal = 0;
  /** Writes the kernel took only in part (the disk filling up mid-buffer). */
  shortWrites = 0;

  constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxEvents = opts.maxEvents;
    this.compactBytes = opts.compactBytes ?? 1 << 20;
    this.retryMs = opts.retryMs ?? 1000;
    this.onProblem = opts.onProblem ?? (() => {});
  }

  /** Opens the spool, recovering unacknowledged events left by an earlier run. */
  open(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const cursorPath = join(this.dir, 'cursor.json');
    if (existsSync(cursorPath)) {
      try {
        const c = JSON.parse(readFileSync(cursorPath, 'utf8')) as Partial<Cursor>;
        if (Number.isInteger(c.gen) && Number.isInteger(c.offset)) {
          this.cursor = { gen: c.gen as number, offset: c.offset as number, dropped: Number.isInteger(c.dropped) ? (c.dropped as number) : 0 };
        }
      } catch {
        // A cursor that cannot be read means start from the log's head: at-least-once.
      }
    }
    for (const name of readdirSync(this.dir)) {
      const m = /^spool-(\d+)\.log$/.exec(name);
      if ((m && Number(m[1]) !== this.cursor.gen) || name.endsWith('.tmp')) unlinkSync(join(this.dir, name));
    }
    const logPath = this.logPath(this.cursor.gen);
    const data = existsSync(logPath) ? readFileSync(logPath) : Buffer.alloc(0);
    const start = Math.min(this.cursor.offset, data.length);
    const { records, end, damaged } = recoverLines(data.subarray(start));
    this.pending = records.map((r) => ({ event: r.event as LabEvent | null, bytes: r.bytes, onDisk: true }));
    this.fileBytes = data.length;
    let repaired = false;
    if (damaged) {
      // Torn or glued lines: rewrite the log with only whole records, so appends start clean.
      const whole = this.pending.filter((e) => e.event !== null);
      try {
        this.rewrite(this.cursor.gen + 1, Buffer.concat(whole.map((e) => Buffer.from(JSON.stringify(e.event) + '\n', 'utf8'))), whole);
        unlinkSync(logPath);
        this.pending = whole;
        repaired = true;
      } catch (err) {
        // No room to rewrite: keep the log as it is and start the next write on a fresh line.
        this.onProblem(`spool ${this.dir}: cannot rewrite a damaged log (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); keeping it as it is`);
        this.tornTail = start + end < data.length;
        if (this.tornTail) this.pending.push({ event: null, bytes: data.length - start - end, onDisk: true });
      }
    }
    if (!repaired) this.fd = openSync(logPath, 'a', 0o600);
    while (this.pending.length > this.maxEvents) this.dropOldest();
  }

  get depth(): number {
    return this.pending.length;
  }

  /** Dropped events the collector has not been told about (kept across restarts). */
  get droppedUnreported(): number {
    return this.cursor.dropped;
  }

  /** The collector now knows about `n` dropped events. */
  reportedDropped(n: number): void {
    this.cursor.dropped = Math.max(0, this.cursor.dropped - n);
    this.cursorDirty = true;
    this.scheduleWrite(0);
  }

  /** Queues an event; it reaches the disk on the next turn of the event loop. Never throws on I/O. */
  append(event: LabEvent): void {
    if (this.fd < 0) throw new Error('spool is not open');
    this.pending.push({ event, bytes: 0, onDisk: false });
    while (this.pending.length > this.maxEvents) this.dropOldest();
    this.scheduleWrite(0);
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
    this.cursor.offset += done.reduce((s, e) => s + (e.onDisk ? e.bytes : 0), 0);
    this.cursorDirty = true;
    this.writeNow();
  }

  /** Writes what is queued now (also done by itself on the next turn of the event loop). */
  writeNow(): void {
    if (this.writeScheduled) {
      clearTimeout(this.writeScheduled as NodeJS.Timeout);
      clearImmediate(this.writeScheduled as NodeJS.Immediate);
      this.writeScheduled = null;
    }
    if (this.fd < 0) return;
    try {
      this.writeQueued();
      if (this.cursor.offset >= this.compactBytes) this.compact();
      if (this.cursorDirty) this.writeCursor();
      if (this.diskError !== null) {
        this.onProblem(`spool ${this.dir} takes writes again; ${this.pending.length} unacknowledged events are on disk`);
        this.diskError = null;
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = `${e.code ?? 'error'}: ${e.code === 'ENOSPC' ? 'no space left on device' : e.message}`;
      if (this.diskError === null) {
        this.onProblem(
          `spool ${this.dir} cannot be written (${reason}); boot service continues, ${this.inMemory()} events are held in memory only ` +
            `(at most ${this.maxEvents}, oldest dropped first) and sent when the collector answers; free space on that filesystem`,
        );
      }
      this.diskError = reason;
      this.scheduleWrite(this.retryMs);
    }
  }

  close(): void {
    this.writeNow();
    if (this.writeScheduled) clearTimeout(this.writeScheduled as NodeJS.Timeout);
    this.writeScheduled = null;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private inMemory(): number {
    return this.pending.filter((e) => !e.onDisk).length;
  }

  private scheduleWrite(delayMs: number): void {
    if (this.writeScheduled || this.fd < 0) return;
    const run = () => {
      this.writeScheduled = null;
      this.writeNow();
    };
    if (delayMs > 0) {
      const t = setTimeout(run, delayMs);
      t.unref();
      this.writeScheduled = t;
    } else {
      this.writeScheduled = setImmediate(run);
    }
  }

  /** Appends every in-memory entry in one write and one fsync; on failure cuts the partial bytes off. */
  private writeQueued(): void {
    const firstNew = this.pending.findIndex((e) => !e.onDisk);
    if (firstNew < 0) return;
    const fresh = this.pending.slice(firstNew);
    const lines = fresh.map((e) => Buffer.from(JSON.stringify(e.event) + '\n', 'utf8'));
    const lead = this.tornTail ? Buffer.from('\n') : Buffer.alloc(0);
    const buf = Buffer.concat([lead, ...lines]);
    try {
      if (writeFully(this.fd, buf) > 1) this.shortWrites++;
      fsyncSync(this.fd);
    } catch (err) {
      this.shortWrites += (err as { partial?: boolean }).partial ? 1 : 0;
      try {
        ftruncateSync(this.fd, this.fileBytes);
        this.tornTail = false;
      } catch {
        this.tornTail = true;
      }
      throw err;
    }
    this.tornTail = false;
    this.fileBytes += buf.length;
    fresh.forEach((e, i) => {
      e.onDisk = true;
      e.bytes = (lines[i] as Buffer).length + (i === 0 ? lead.length : 0);
    });
  }

  private dropOldest(): void {
    const gone = this.pending.shift();
    if (!gone) return;
    if (gone.onDisk) this.cursor.offset += gone.bytes;
    this.cursor.dropped++;
    this.droppedTotal++;
    this.cursorDirty = true;
  }

  private compact(): void {
    const onDisk = this.pending.filter((e) => e.onDisk);
    const tail = Buffer.concat(onDisk.map((e) => Buffer.from(JSON.stringify(e.event) + '\n', 'utf8')));
    const old = this.cursor.gen;
    const oldFd = this.fd;
    this.rewrite(old + 1, tail, onDisk);
    closeSync(oldFd);
    unlinkSync(this.logPath(old));
  }

  /** Writes `content` (the lines of `entries`) as generation `gen`, then points the cursor at it. */
  private rewrite(gen: number, content: Buffer, entries: Entry[]): void {
    const path = this.logPath(gen);
    const tmp = `${path}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeFully(fd, content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      this.syncDir();
    } catch (err) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw err;
    }
    const cursor = { gen, offset: 0, dropped: this.cursor.dropped };
    this.writeCursorValue(cursor);
    this.cursor = cursor;
    this.cursorDirty = false;
    this.fileBytes = content.length;
    this.fd = openSync(path, 'a', 0o600);
    for (const e of entries) e.bytes = Buffer.byteLength(JSON.stringify(e.event) + '\n', 'utf8');
  }

  private writeCursor(): void {
    this.writeCursorValue(this.cursor);
    this.cursorDirty = false;
  }

  private writeCursorValue(cursor: Cursor): void {
    const path = join(this.dir, 'cursor.json');
    const tmp = `${path}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeFully(fd, Buffer.from(JSON.stringify(cursor)));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch (err) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw err;
    }
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

/**
 * write(2) may write less than asked (a disk filling up mid-buffer): loop, and fail if it stops.
 * Returns how many calls it took; an error thrown after a partial write says so (`partial`).
 */
function writeFully(fd: number, buf: Buffer): number {
  let off = 0;
  let calls = 0;
  while (off < buf.length) {
    let n: number;
    try {
      n = writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      throw Object.assign(err as Error, { partial: off > 0 });
    }
    calls++;
    if (n <= 0) throw Object.assign(new Error(`short write: ${off} of ${buf.length} bytes`), { code: 'EIO', partial: off > 0 });
    off += n;
  }
  return calls;
}
