import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EVENT_SOURCES, EventBatchSchema, EventSchema, MAX_BATCH, type LabEvent } from '@lab/shared';
import type { z } from 'zod';
import { bearerMatches } from '../auth.js';
import { isStorageFull } from './limits.js';
import type { CollectorHub } from '../hub.js';

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

export function zodProblems(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message }));
}

// The hot path's check, for the request that is right: the same rules as the shared EventSchema
// (shared/src/events/event.ts), written out because zod's general machinery costs ~10% of ingest.
// It only ever accepts; whatever it does not accept goes through zod, which gives the answer and
// names the field, so a bad request gets exactly the answer it got before.
const ID_RE = /^[A-Za-z0-9._:-]+$/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const KIND_RE = /^[a-z0-9][a-z0-9._-]*$/;
// zod's own RFC 3339 pattern for this field, so the two cannot disagree on a time.
const TIME_RE: RegExp | undefined = EventSchema.shape.time.def.pattern;
const SOURCES: ReadonlySet<string> = new Set(EVENT_SOURCES);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  return Object.getPrototypeOf(x) === Object.prototype;
}

/** The event as EventSchema would give it (same keys, same order), or undefined to let zod decide. */
export function fastEvent(x: unknown): LabEvent | undefined {
  if (!isPlainObject(x) || TIME_RE === undefined) return undefined;
  const { id, host, mac, source, kind, time } = x;
  const attrs = x.attrs === undefined ? {} : x.attrs;
  if (typeof id !== 'string' || id.length < 1 || id.length > 128 || !ID_RE.test(id)) return undefined;
  if (host !== undefined && (typeof host !== 'string' || host.length < 1 || host.length > 253)) return undefined;
  if (mac !== undefined && (typeof mac !== 'string' || !MAC_RE.test(mac))) return undefined;
  if (host === undefined && mac === undefined) return undefined;
  if (typeof source !== 'string' || !SOURCES.has(source)) return undefined;
  if (typeof kind !== 'string' || kind.length < 1 || kind.length > 64 || !KIND_RE.test(kind)) return undefined;
  if (typeof time !== 'string' || !TIME_RE.test(time)) return undefined;
  // zod's record drops an own `__proto__` key; leave that rare case to it.
  if (!isPlainObject(attrs) || Object.hasOwn(attrs, '__proto__')) return undefined;
  const s = source as LabEvent['source'];
  if (host === undefined) return { id, mac: mac as string, source: s, kind, time, attrs };
  if (mac === undefined) return { id, host, source: s, kind, time, attrs };
  return { id, host, mac: mac as string, source: s, kind, time, attrs };
}

/** Every event of a batch (or the one event) through the fast check; undefined when any fails it. */
function fastEvents(body: unknown, isBatch: boolean): LabEvent[] | undefined {
  if (!isBatch) {
    const e = fastEvent(body);
    return e ? [e] : undefined;
  }
  const list = (body as { events: unknown }).events;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_BATCH) return undefined;
  const out: LabEvent[] = new Array<LabEvent>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = fastEvent(list[i]);
    if (!e) return undefined;
    out[i] = e;
  }
  return out;
}

/**
 * Gives every event a lab host: events that carry only a MAC (PXE) get the host owning that MAC;
 * an event naming a host the lab does not have is refused, so a misconfigured sender is seen at
 * once instead of filling the store with a host nobody watches. Unknown MACs are kept (a foreign
 * machine PXE booting on the lab network is worth showing).
 */
export function resolveHosts(hub: CollectorHub, events: LabEvent[], prefix: string): { ok: true; events: LabEvent[] } | { ok: false; problems: { field: string; message: string }[] } {
  const problems: { field: string; message: string }[] = [];
  const out = events.map((e, i) => {
    if (e.host !== undefined) {
      if (!hub.directory.hasHost(e.host)) problems.push({ field: `${prefix}[${i}].host`, message: `"${e.host}" is not a host of the lab (known: ${hub.directory.hostNames().join(', ')})` });
      return e;
    }
    const host = e.mac ? hub.directory.byMac(e.mac) : undefined;
    return host ? { ...e, host } : e;
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events: out };
}

/** `POST /v1/events`: the agent's protocol (a batch `{events: [...]}` or one event). */
export function registerHttpIngest(app: FastifyInstance, hub: CollectorHub, token: string): void {
  // The token is checked on the headers, before the body is read or parsed (onRequest).
  const onRequest = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (bearerMatches(req.headers.authorization, token)) return done();
    hub.metrics.countRejected('auth');
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .header('connection', 'close')
      .send({ error: 'unauthorized', message: req.headers.authorization ? 'the bearer token is wrong' : 'no bearer token', fix: "send `Authorization: Bearer <token>` with the lab's collector token (state/secrets/collector-token)" });
  };
  app.post('/v1/events', { onRequest }, async (req, reply) => {
    const body = req.body as unknown;
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
    let events = fastEvents(body, isBatch);
    if (!events) {
      const parsed = isBatch ? EventBatchSchema.safeParse(body) : EventSchema.safeParse(body);
      if (!parsed.success) {
        hub.metrics.countRejected('schema');
        const problems = zodProblems(parsed.error);
        return reply.code(400).send({
          error: 'invalid-event',
          message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
          problems,
          fix: `send {"events": [ ... ]} with 1 to ${MAX_BATCH} events of the shared event protocol`,
        });
      }
      events = 'events' in parsed.data ? parsed.data.events : [parsed.data];
    }
    const resolved = resolveHosts(hub, events, isBatch ? 'events' : '');
    if (!resolved.ok) {
      hub.metrics.countRejected('unknown-host');
      return reply.code(422).send({
        error: 'unknown-host',
        message: resolved.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        problems: resolved.problems,
        fix: 'add the host to the lab file, or correct the host name the sender is configured with',
      });
    }
    let result;
    try {
      result = await hub.ingestQueued(resolved.events, 'http');
    } catch (err) {
      if (isStorageFull(err)) throw err; // 507, from the error handler
      hub.problem('ingest-http', `collector: could not store ${resolved.events.length} events from ${req.socket.remoteAddress ?? '?'}: ${(err as Error).message}`);
      return reply.code(503).send({ error: 'store-unavailable', message: 'the collector could not store these events; nothing of this request was kept', fix: 'retry later; the collector log says why' });
    }
    return reply.code(200).send({ stored: result.inserted, duplicates: result.duplicates });
  });
}
