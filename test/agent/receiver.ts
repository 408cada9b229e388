import Fastify, { type FastifyInstance } from 'fastify';
import { EventBatchSchema, type LabEvent } from '@lab/shared';

/**
 * A stand-in for the collector's `POST /v1/events` (bearer token, EventBatchSchema), used until
 * the real collector exposes a start function. It keeps every event once by id and counts
 * deliveries, so tests can tell "arrived exactly once" from "delivered more than once".
 */
export interface Receiver {
  url: string;
  events: LabEvent[];
  deliveries: Map<string, number>;
  rejected: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startReceiver(opts: { host?: string; port?: number; token: string }): Promise<Receiver> {
  const host = opts.host ?? '127.0.0.1';
  const events: LabEvent[] = [];
  const deliveries = new Map<string, number>();
  let app: FastifyInstance | null = null;
  let port = opts.port ?? 0;
  const state = { rejected: 0 };

  const listen = async () => {
    const a = Fastify({ bodyLimit: 8 << 20 });
    a.post('/v1/events', async (req, reply) => {
      if (req.headers.authorization !== `Bearer ${opts.token}`) return reply.code(401).send({ error: 'bad token' });
      const parsed = EventBatchSchema.safeParse(req.body);
      if (!parsed.success) {
        state.rejected++;
        return reply.code(400).send({ error: parsed.error.message });
      }
      let stored = 0;
      for (const e of parsed.data.events) {
        const n = deliveries.get(e.id) ?? 0;
        deliveries.set(e.id, n + 1);
        if (n === 0) {
          events.push(e);
          stored++;
        }
      }
      return { stored, duplicates: parsed.data.events.length - stored };
    });
    await a.listen({ host, port });
    const addr = a.server.address();
    if (typeof addr === 'object' && addr) port = addr.port;
    app = a;
  };
  await listen();
  return {
    get url() {
      return `http://${host}:${port}`;
    },
    events,
    deliveries,
    get rejected() {
      return state.rejected;
    },
    async stop() {
      if (app) await app.close();
      app = null;
    },
    async restart() {
      await listen();
    },
  };
}
