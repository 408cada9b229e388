import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LabEvent } from '@lab/shared';

// node:http rather than fetch: fetch (undici) costs ~100 ms and several MB to load on first use,
// which is most of the agent's time to its first acknowledged event.
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 1 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 1 }) };

/** The collector refused the batch itself (4xx other than auth, timeout, rate limit): retrying it cannot succeed. */
export class RejectedBatch extends Error {
  override name = 'RejectedBatch';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const RETRYABLE_4XX = new Set([401, 403, 408, 409, 425, 429]);

/** Posts one batch to the collector. Resolves on 2xx, rejects with a message that carries no secret. */
export function postBatch(url: string, token: string, events: LabEvent[], timeoutMs = 10_000): Promise<void> {
  const endpoint = new URL('/v1/events', url);
  const body = Buffer.from(JSON.stringify({ events }), 'utf8');
  const https = endpoint.protocol === 'https:';
  const where = `${endpoint.origin}${endpoint.pathname}`;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      endpoint,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 200) text += c;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const message = `collector ${where} answered ${status}: ${text.slice(0, 200)}`;
          if (status >= 200 && status < 300) resolve();
          else if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) reject(new RejectedBatch(message, status));
          else reject(new Error(message));
        });
        res.on('error', (err) => reject(new Error(`collector ${where}: ${err.message}`, { cause: err })));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`collector ${where} unreachable: ${err.message}`, { cause: err })));
    req.end(body);
  });
}
