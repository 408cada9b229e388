import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeMac, type LabEvent } from '@lab/shared';
import { bearerMatches } from '../auth.js';
import { normalizeAddress } from '../directory.js';
import type { CollectorHub } from '../hub.js';

const KINDS: Record<string, string> = { STARTED: 'install.started', SUCCEEDED: 'install.succeeded', FAILED: 'install.failed' };

/** A retried webhook (Harvester retries on timeout) lands in the same window and is stored once. */
const DEDUP_WINDOW_MS = 120_000;

interface HookBody {
  event?: unknown;
  hostname?: unknown;
  host?: unknown;
  mac?: unknown;
  ip?: unknown;
  message?: unknown;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * `POST /v1/webhooks/harvester`: Harvester's installer webhooks (`install.webhooks[]` with event
 * STARTED, SUCCEEDED or FAILED). Its payload is a Go template over Hostname, MACAddr, IPAddrV4 and
 * IPAddrV6, so the host is found by (in order) `?host=`, the payload's hostname, MAC, IP, or the
 * caller's address. The event comes from `?event=` or the payload's `event`.
 */
export function registerHarvesterIngest(app: FastifyInstance, hub: CollectorHub, token: string): void {
  const onRequest = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (bearerMatches(req.headers.authorization, token)) return done();
    hub.metrics.countRejected('auth');
    void reply.code(401).header('www-authenticate', 'Bearer').header('connection', 'close').send({ error: 'unauthorized', message: 'missing or wrong bearer token', fix: 'give the webhook a header `Authorization: Bearer <collector token>`' });
  };
  app.post('/v1/webhooks/harvester', { onRequest }, async (req, reply) => {
    const query = req.query as Record<string, string | undefined>;
    const body: HookBody = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as HookBody) : {};
    const event = (text(query.event) ?? text(body.event))?.toUpperCase();
    const kind = event ? KINDS[event] : undefined;
    if (!kind) {
      hub.metrics.countRejected('schema');
      return reply.code(400).send({ error: 'invalid-webhook', message: `event: expected STARTED, SUCCEEDED or FAILED, got ${event ? JSON.stringify(event) : 'nothing'}`, fix: 'add ?event=STARTED (or SUCCEEDED, FAILED) to the webhook URL or "event" to its payload' });
    }
    const named = text(query.host) ?? text(body.hostname) ?? text(body.host);
    const mac = text(body.mac);
    const ip = text(body.ip);
    let host: string | undefined;
    if (named !== undefined) {
      if (!hub.directory.hasHost(named)) {
        hub.metrics.countRejected('unknown-host');
        return reply.code(422).send({ error: 'unknown-host', message: `host: "${named}" is not a host of the lab`, fix: 'set os.hostname in the Harvester config to the lab host name' });
      }
      host = named;
    }
    host ??= mac ? hub.directory.byMac(normalizeMac(mac)) : undefined;
    host ??= ip ? hub.directory.byAddress(ip) : undefined;
    host ??= hub.directory.byAddress(normalizeAddress(req.socket.remoteAddress ?? ''));
    if (!host) {
      hub.metrics.countRejected('unknown-host');
      return reply.code(422).send({ error: 'unknown-host', message: 'no lab host matches this webhook (no host name, MAC or address of the lab)', fix: 'add ?host=<lab host> to the webhook URL' });
    }
    const now = Date.now();
    const attrs: Record<string, unknown> = { event };
    if (mac) attrs.mac = normalizeMac(mac);
    if (ip) attrs.ip = ip;
    const message = text(body.message);
    if (message) attrs.message = message;
    const e: LabEvent = {
      id: `harvester.${host}.${event}.${Math.floor(now / DEDUP_WINDOW_MS)}`,
      host,
      source: 'harvester',
      kind,
      time: new Date(now).toISOString(),
      attrs,
    };
    const result = hub.ingest([e], 'harvester');
    return reply.code(200).send({ stored: result.inserted, duplicates: result.duplicates, host });
  });
}
