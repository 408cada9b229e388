import http from 'node:http';
import type { GenesisStatus } from '@lab/shared';
import { HostDirectory } from './directory.js';
import { CollectorHub } from './hub.js';
import { EventStore, type StoredEvent } from './store.js';
import type { GenesisPlan } from '@lab/shared';
import { existsSync } from 'node:fs';

/** Fetches the running collector's status; undefined when nothing answers. */
export async function fetchStatus(baseUrl: string, token: string, timeoutMs = 3000): Promise<GenesisStatus | undefined> {
  try {
    const res = await fetch(`${baseUrl}/v1/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as GenesisStatus;
  } catch {
    return undefined;
  }
}

/** The status straight from the store, when no collector runs (read-only; nothing is written). */
export function statusFromStore(plan: GenesisPlan, dbFile: string, thresholds: Record<string, number> = {}): GenesisStatus | undefined {
  if (!existsSync(dbFile)) return undefined;
  const store = new EventStore(dbFile, { readonly: true });
  try {
    return new CollectorHub({ store, plan, directory: new HostDirectory(plan, store.peers()), thresholds }).status();
  } finally {
    store.close();
  }
}

/** Follows `/v1/stream`, calling `onStatus` for each status; resolves when the stream ends. */
export function followStream(baseUrl: string, token: string, onStatus: (s: GenesisStatus) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}/v1/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`the collector answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (event === 'status' && data) onStatus(JSON.parse(data) as GenesisStatus);
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).name === 'AbortError' ? resolve() : reject(err)));
  });
}

export interface EventPage {
  events: StoredEvent[];
  next: number;
}

/** One page of `/v1/events` (a host's last `tail` events, or those after `since`). Throws when the collector refuses or is not there. */
export async function fetchEvents(baseUrl: string, token: string, q: { host?: string; since?: number; tail?: number; limit?: number }, timeoutMs = 5000): Promise<EventPage> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const res = await fetch(`${baseUrl}/v1/events?${params}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json().catch(() => ({}))) as Partial<EventPage> & { message?: string };
  if (!res.ok) throw new CollectorRefused(res.status, body.message ?? `answered ${res.status}`);
  return { events: body.events ?? [], next: body.next ?? q.since ?? 0 };
}

/** The collector answered, but no: a bad query (unknown host) or a missing token. */
export class CollectorRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CollectorRefused';
  }
}
