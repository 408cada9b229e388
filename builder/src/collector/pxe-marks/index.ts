import { EVENT_KINDS, type LabEvent, type StoredEvent } from '@lab/shared';
import type { CollectorHub } from '../hub.js';
import { PxeMarkTracker, type MarkWanted, type PxeMarkHost } from './track.js';

export { PxeMarkTracker, type MarkWanted, type PxeMarkHost } from './track.js';

/**
 * Tells the PXE agent which hosts' installs are done (POST /v1/pxe/installed/<mac>?source=…,
 * with the collector token the agent's control API takes), read from what the collector stores:
 * Talos's installs, which only the collector hears, and after the agent starts again the marks
 * it no longer holds; and takes back the marks of hosts the lab re-arms (DELETE, pxe.reinstall). A mark the agent does not take (unreachable, refused) is retried with a
 * growing pause; the first failure of each is an event on the host (`pxe.mark-failed`) and a log
 * line, its delivery `pxe.mark-sent`.
 */
export interface PxeMarksOptions {
  /** The agent's PXE HTTP service, `http://<pxe.address>:<pxe.httpPort>`. */
  base: string;
  token: string;
  hosts: readonly PxeMarkHost[];
  /** Hosts with the lab's pxe.reinstall: their marks are taken back (see PxeMarkTracker). */
  reinstall?: readonly PxeMarkHost[];
  /** The lab host the agent runs on (pxe.host). */
  agentHost?: string;
  /** First pause after a failure, doubled up to `maxRetryMs` (defaults 2 s and 60 s). */
  firstRetryMs?: number;
  maxRetryMs?: number;
  timeoutMs?: number;
}

export interface PxeMarks {
  close(): void;
}

export function startPxeMarks(hub: CollectorHub, o: PxeMarksOptions): PxeMarks {
  const tracker = new PxeMarkTracker(o.hosts, o.agentHost, o.reinstall ?? []);
  const inFlight = new Map<string, { attempts: number; timer?: NodeJS.Timeout }>();
  const controller = new AbortController();
  let closed = false;

  const record = (m: MarkWanted, kind: string, attrs: Record<string, unknown>) => {
    const e: LabEvent = { id: `builder.${kind}.${m.mac.replace(/:/g, '')}.${Date.now()}.${String(attrs.attempts ?? 0)}`, host: m.host, mac: m.mac, source: 'builder', kind, time: new Date().toISOString(), attrs: { ...attrs, installedBy: m.source } };
    try {
      hub.ingest([e], 'builder');
    } catch {
      // The store refused (full disk): the log line below still says it.
    }
  };

  const key = (m: MarkWanted) => `${m.action} ${m.mac}`;
  const attempt = async (m: MarkWanted): Promise<void> => {
    const state = inFlight.get(key(m));
    if (!state || closed) return;
    if (!tracker.stillWanted(m)) {
      inFlight.delete(key(m));
      return;
    }
    state.attempts += 1;
    const path = `${o.base.replace(/\/+$/, '')}/v1/pxe/installed/${m.mac.replace(/:/g, '-')}`;
    const [method, url] = m.action === 'mark' ? ['POST', `${path}?source=${encodeURIComponent(m.source)}`] : ['DELETE', path];
    let error: string | undefined;
    try {
      const res = await fetch(url, { method, headers: { authorization: `Bearer ${o.token}` }, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(o.timeoutMs ?? 10_000)]) });
      await res.text().catch(() => '');
      if (!res.ok) error = `HTTP ${res.status}${res.status === 401 ? ' (the agent takes the collector token: is its agent.yaml from this lab?)' : ''}`;
    } catch (err) {
      error = (err as Error).message;
    }
    if (closed) return;
    if (!error) {
      inFlight.delete(key(m));
      record(m, EVENT_KINDS.pxeMarkSent, { action: m.action, attempts: state.attempts, agent: o.base });
      return;
    }
    const pause = Math.min((o.firstRetryMs ?? 2000) * 2 ** (state.attempts - 1), o.maxRetryMs ?? 60_000);
    if (state.attempts === 1) record(m, EVENT_KINDS.pxeMarkFailed, { action: m.action, code: 'ERR_PXE_UNREACHABLE', attempts: 1, agent: o.base, error, retryInSeconds: pause / 1000 });
    const what = m.action === 'mark' ? `that ${m.host} (${m.mac}) is installed` : `to re-arm ${m.host} (${m.mac}, pxe.reinstall in the lab)`;
    const meanwhile = m.action === 'mark' ? `a network boot of ${m.host} installs again` : `a network boot of ${m.host} still boots from disk`;
    // Rate-limited per host: one host's failures must not hide another's.
    hub.problem(`pxe-unreachable-${m.host}`, `collector: ERR_PXE_UNREACHABLE: cannot tell the PXE agent at ${o.base} ${what} (${error}); attempt ${state.attempts}, retrying in ${Math.round(pause / 100) / 10} s — until it takes it, ${meanwhile}`);
    state.timer = setTimeout(() => void attempt(m), pause);
    state.timer.unref();
  };

  const send = (m: MarkWanted) => {
    if (closed || inFlight.has(key(m))) return;
    inFlight.set(key(m), { attempts: 0 });
    void attempt(m);
  };

  // What the store already holds (a restarted collector): the marks the agent may lack.
  let since = 0;
  for (;;) {
    const page = hub.store.list({ since, limit: 5000 });
    for (const e of page) tracker.observe(e);
    if (page.length < 5000) break;
    since = page[page.length - 1]!.seq;
  }
  for (const m of tracker.pending()) send(m);

  const onEvents = (fresh: StoredEvent[]) => {
    for (const e of fresh) for (const m of tracker.observe(e)) send(m);
  };
  hub.on('events', onEvents);
  return {
    close() {
      closed = true;
      hub.off('events', onEvents);
      controller.abort();
      for (const s of inFlight.values()) clearTimeout(s.timer);
      inFlight.clear();
    },
  };
}
