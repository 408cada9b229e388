import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readerIsLocal } from '@lab/shared';
import { bearerMatches } from './auth.js';
import { boundStrings } from './views/bound.js';
import type { CollectorHub } from './hub.js';
import type { StoredEvent } from './store.js';

const MAX_PAGE = 1000;
const MAX_SSE_BUFFER = 4 * 1024 * 1024;

/**
 * Reads are open to the operator's own machine — a loopback peer that also named a loopback
 * `Host:`, so a web page the operator opens cannot read them by DNS rebinding — and need the
 * bearer token (the collector token, or the read-only one `collect` prints) from anywhere else:
 * event attributes can carry lab details not meant for every lab network peer.
 */
export function readAllowed(req: FastifyRequest, token: string, readToken?: string): boolean {
  if (readerIsLocal(req.socket.remoteAddress, req.headers.host)) return true;
  return bearerMatches(req.headers.authorization, token) || (readToken !== undefined && bearerMatches(req.headers.authorization, readToken));
}

function deny(reply: FastifyReply) {
  return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'reads from other machines need the bearer token', fix: 'send `Authorization: Bearer <read-only token that builder collect prints>`, or read from the collector machine itself at http://127.0.0.1 or http://localhost' });
}

export function registerReadRoutes(app: FastifyInstance, hub: CollectorHub, token: string, readToken?: string): void {
  app.get('/v1/status', async (req, reply) => {
    if (!readAllowed(req, token, readToken)) return deny(reply);
    return reply.send(boundStrings(hub.status()));
  });

  app.get('/v1/events', async (req, reply) => {
    if (!readAllowed(req, token, readToken)) return deny(reply);
    const q = req.query as Record<string, string | undefined>;
    const problems: string[] = [];
    const since = q.since === undefined ? 0 : Number(q.since);
    if (!Number.isSafeInteger(since) || since < 0) problems.push('since: a non-negative integer (the `next` cursor of the previous page)');
    const limit = q.limit === undefined ? 200 : Number(q.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) problems.push(`limit: an integer from 1 to ${MAX_PAGE}`);
    if (q.host !== undefined && !hub.directory.hasHost(q.host)) problems.push(`host: "${q.host}" is not a host of the lab`);
    const tail = q.tail === undefined ? undefined : Number(q.tail);
    if (tail !== undefined && (!Number.isSafeInteger(tail) || tail < 1 || tail > MAX_PAGE || q.since !== undefined)) problems.push(`tail: an integer from 1 to ${MAX_PAGE}, without since=`);
    if (problems.length > 0) return reply.code(400).send({ error: 'invalid-query', message: problems.join('; ') });
    if (tail !== undefined) {
      const events = hub.store.tail(q.host, tail);
      return reply.send({ events, next: events.at(-1)?.seq ?? 0, more: false });
    }
    const events: StoredEvent[] = hub.store.list({ host: q.host, since, limit });
    const last = events[events.length - 1];
    return reply.send({ events, next: last ? last.seq : since, more: events.length === limit });
  });

  app.get('/metrics', async (req, reply) => {
    if (!readAllowed(req, token, readToken)) return deny(reply);
    return reply.type('text/plain; version=0.0.4').send(hub.metrics.render(hub.status(), hub.store.count()));
  });

  app.get('/v1/stream', (req, reply) => {
    if (!readAllowed(req, token, readToken)) {
      void deny(reply);
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    hub.metrics.sseClients += 1;
    const send = (event: string, data: unknown) => {
      // A client that stops reading is dropped rather than buffered without limit.
      if (res.writableLength > MAX_SSE_BUFFER) {
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('status', boundStrings(hub.status()));
    // Coalesce bursts: at most one status per 100 ms, so a batch of 1000 events costs one redraw.
    let pending: NodeJS.Timeout | undefined;
    const schedule = () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        send('status', boundStrings(hub.status()));
      }, 100);
    };
    const onEvents = (events: StoredEvent[]) => {
      // Kernel and service log lines carry their text: the feed shows what the line says.
      send('events', events.slice(-50).map((e) => ({ seq: e.seq, host: e.host, mac: e.mac, source: e.source, kind: e.kind, time: e.time, received: e.received, ...(typeof e.attrs.msg === 'string' ? { msg: e.attrs.msg.slice(0, 300) } : {}) })));
      schedule();
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    hub.on('events', onEvents);
    hub.on('tick', schedule);
    const close = () => {
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      hub.off('events', onEvents);
      hub.off('tick', schedule);
      hub.metrics.sseClients -= 1;
    };
    res.on('close', close);
  });
}
