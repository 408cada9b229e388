import type { StoredEvent } from '../store.js';

/** One line per event for `builder events` and `builder logs`: stable columns, newest last. */

const hhmmss = (iso: string) => iso.slice(11, 19);

/** The attributes that say what happened, short: `stage=RUNNING ready=false`. */
function attrsText(attrs: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'peer' || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${text.length > 80 ? `${text.slice(0, 77)}...` : text}`);
  }
  return parts.join(' ');
}

export function eventLine(e: StoredEvent): string {
  return `${hhmmss(e.received)}  ${e.source.padEnd(9)}  ${e.kind.padEnd(28)}  ${attrsText(e.attrs)}`.trimEnd();
}

/** Kernel and service log events (Talos's KmsgLogConfig and logging destinations). */
export function isLogEvent(e: StoredEvent): boolean {
  return e.source === 'kmsg' || e.kind === 'log';
}

const LEVELS: Record<string, string> = { '0': 'emerg', '1': 'alert', '2': 'crit', '3': 'err', '4': 'warn', '5': 'notice', '6': 'info', '7': 'debug' };

export function logLine(e: StoredEvent): string {
  const a = e.attrs;
  const level = LEVELS[String(a.priority)] ?? String(a['talos-level'] ?? a.priority ?? '');
  const who = typeof a.service === 'string' ? a.service : 'kernel';
  return `${hhmmss(e.received)}  ${who.padEnd(10)}  ${level.padEnd(6)}  ${typeof a.msg === 'string' ? a.msg : ''}`.trimEnd();
}
