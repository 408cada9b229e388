import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeTarget } from './kubeconfig.js';

/** GETs a JSON document from the API server; errors name the path and status, never credentials. */
export function kubeGet<T>(target: KubeTarget, path: string, timeoutMs = 5000): Promise<T> {
  const url = new URL(path, target.server + '/');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  return new Promise((resolve, reject) => {
    const opts = {
      method: 'GET',
      headers,
      timeout: timeoutMs,
      ...(url.protocol === 'https:' ? { ca: target.ca, cert: target.cert, key: target.key, rejectUnauthorized: !target.insecure } : {}),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`GET ${url.pathname} answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          reject(new Error(`GET ${url.pathname}: answer is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new Error(`GET ${url.pathname}: ${err.message}`)));
    req.end();
  });
}
