/**
 * Transfer progress: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI).
 * Formatting is pure; the reporter decides when to write.
 */

export interface ProgressSample {
  label: string;
  /** Bytes present so far, including any resumed part. */
  done: number;
  /** Total size, when the server said. */
  total?: number;
  /** Bytes per second over this transfer. */
  rate: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** `label [#######-------]  45%  135.0 MiB/300.0 MiB  12.3 MiB/s  ETA 0:13` */
export function formatProgress(p: ProgressSample, width = 24): string {
  const rate = `${formatBytes(Math.round(p.rate))}/s`;
  if (p.total === undefined || p.total <= 0) return `${p.label}  ${formatBytes(p.done)}  ${rate}`;
  const frac = Math.min(1, p.done / p.total);
  const filled = Math.round(frac * width);
  const eta = p.rate > 0 ? (p.total - p.done) / p.rate : Number.POSITIVE_INFINITY;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return `${p.label} ${bar} ${String(Math.floor(frac * 100)).padStart(3)}%  ${formatBytes(p.done)}/${formatBytes(p.total)}  ${rate}  ETA ${formatDuration(eta)}`;
}

export interface Progress {
  start(label: string, total: number | undefined, already: number): void;
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  write(text: string): void;
  tty: boolean;
  now?: () => number;
  /** Minimum milliseconds between redraws on a terminal. */
  redrawMs?: number;
  /** Plain mode: a line at every this-many percent (and at least every 10 s). */
  stepPercent?: number;
}

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? (() => performance.now());
  let label = '';
  let total: number | undefined;
  let base = 0;
  let startedAt = 0;
  let lastDraw = -Infinity;
  let lastStep = -1;
  let lastLine = 0;
  let done = 0;
  const sample = (): ProgressSample => {
    const secs = (now() - startedAt) / 1000;
    const s: ProgressSample = { label, done, rate: secs > 0 ? (done - base) / secs : 0 };
    if (total !== undefined) s.total = total;
    return s;
  };
  return {
    start(l, t, already) {
      label = l;
      total = t;
      base = already;
      done = already;
      startedAt = now();
      lastDraw = -Infinity;
      lastStep = -1;
      lastLine = startedAt;
      if (!o.tty) o.write(`${l}: ${already > 0 ? `resuming at ${formatBytes(already)}` : 'starting'}${t !== undefined ? ` of ${formatBytes(t)}` : ''}\n`);
    },
    update(d) {
      done = d;
      const t = now();
      if (o.tty) {
        if (t - lastDraw >= (o.redrawMs ?? 100)) {
          lastDraw = t;
          o.write(`\r${formatProgress(sample())}\u001b[K`);
        }
        return;
      }
      const step = total ? Math.floor((d / total) * (100 / (o.stepPercent ?? 10))) : -1;
      if ((total && step > lastStep && d < total) || t - lastLine >= 10_000) {
        lastStep = Math.max(step, lastStep);
        lastLine = t;
        o.write(`${formatProgress(sample())}\n`);
      }
    },
    finish() {
      o.write(o.tty ? `\r${formatProgress(sample())}\u001b[K\n` : `${formatProgress(sample())}\n`);
    },
  };
}

export const silentProgress: Progress = { start() {}, update() {}, finish() {} };
