// The baseline: a bare fastify route that parses the same JSON body and answers 204, nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
app.post('/v1/events', async (_req, reply) => reply.code(204).send());
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port, pid: process.pid })}\n`);
process.on('SIGTERM', () => void app.close());
