import { CollectorRefused, fetchEvents } from './client.js';
import type { StoredEvent } from './store.js';

export interface FollowOptions {
  host: string;
  /** Events shown before following (the host's last N). */
  tail: number;
  follow: boolean;
  signal?: AbortSignal;
  pollMs?: number;
  onEvent(e: StoredEvent): void;
  /** Said once when the collector stops answering, and once when it answers again. */
  onConnection?(up: boolean, why?: string): void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * A host's events: its last `tail`, then (with `follow`) every new one, polling the cursor. A
 * collector that restarts loses nothing (its store is durable; the cursor is a store sequence),
 * so following simply retries until it answers again. A refused query (unknown host) ends it.
 */
export async function followHostEvents(baseUrl: string, token: string, o: FollowOptions): Promise<void> {
  let since: number | undefined;
  let up = true;
  while (!o.signal?.aborted) {
    try {
      const page = since === undefined ? await fetchEvents(baseUrl, token, { host: o.host, tail: o.tail }) : await fetchEvents(baseUrl, token, { host: o.host, since, limit: 1000 });
      if (!up) o.onConnection?.(true);
      up = true;
      for (const e of page.events) o.onEvent(e);
      since = page.next;
      if (!o.follow) return;
      if (page.events.length === 1000) continue;
    } catch (err) {
      if (err instanceof CollectorRefused) throw err;
      if (!o.follow) throw err;
      if (up) o.onConnection?.(false, (err as Error).message);
      up = false;
    }
    await sleep(o.pollMs ?? 1000, o.signal);
  }
}
