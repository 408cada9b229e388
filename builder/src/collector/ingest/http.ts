import type { FastifyInstance } from 'fastify';
import { EventBatchSchema, EventSchema, MAX_BATCH, type LabEvent } from '@lab/shared';
import type { z } from 'zod';
import { bearerMatches } from '../auth.js';
import type { CollectorHub } from '../hub.js';

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

export function zodProblems(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message }));
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
  app.post('/v1/events', async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      hub.metrics.countRejected('auth');
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: req.headers.authorization ? 'the bearer token is wrong' : 'no bearer token', fix: "send `Authorization: Bearer <token>` with the lab's collector token (state/secrets/collector-token)" });
    }
    const body = req.body as unknown;
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
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
    const events: LabEvent[] = 'events' in parsed.data ? parsed.data.events : [parsed.data];
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
    const result = await hub.ingestQueued(resolved.events, 'http');
    return reply.code(200).send({ stored: result.inserted, duplicates: result.duplicates });
  });
}
