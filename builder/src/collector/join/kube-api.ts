import https from 'node:https';
import type { KubeCredentials } from './credentials.js';

/**
 * A read-only Kubernetes API client: GET a path, JSON back, over HTTPS with the kubeconfig's
 * client certificate, verifying the server against the cluster's CA. Enough for listing nodes,
 * Argo CD Applications and Deployments; no watch streams (the watchers poll).
 */
export class KubeApi {
  constructor(
    private readonly creds: KubeCredentials,
    private readonly timeoutMs = 5000,
  ) {}

  get server(): string {
    return this.creds.server;
  }

  /** GETs `path` (e.g. `/api/v1/nodes`); rejects with the status and the API's message on failure. */
  get<T>(path: string): Promise<T> {
    const url = new URL(path, `${this.creds.server}/`);
    return new Promise((resolve, reject) => {
      const req = https.get(
        url,
        { ca: this.creds.ca, cert: this.creds.cert, key: this.creds.key, headers: { accept: 'application/json' }, timeout: this.timeoutMs, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              let message = text.slice(0, 200);
              try {
                message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
              } catch {
                // not a Status document
              }
              reject(new KubeApiError(res.statusCode ?? 0, `${url.pathname}: ${res.statusCode} ${message}`));
              return;
            }
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new KubeApiError(res.statusCode, `${url.pathname}: answer is not JSON`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${url.host}: no answer in ${this.timeoutMs} ms`)));
      req.on('error', reject);
    });
  }
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}
