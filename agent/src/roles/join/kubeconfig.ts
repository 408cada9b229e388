import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

/** What a request to the API server needs, taken from a kubeconfig's current context. */
export interface KubeTarget {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecure: boolean;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Rec = Record<string, unknown>;

/** Reads the current context of a kubeconfig (pure apart from reading referenced files). */
export function parseKubeconfig(text: string, file: string): KubeTarget {
  const doc = parse(text) as Rec | null;
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: not a kubeconfig`);
  const contexts = (doc.contexts as Named<Rec>[] | undefined) ?? [];
  const ctxName = (doc['current-context'] as string | undefined) ?? contexts[0]?.name;
  const ctx = contexts.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`${file}: no context ${ctxName ?? '(none)'}; set current-context`);
  const cluster = ((doc.clusters as Named<Rec>[] | undefined) ?? []).find((c) => c.name === ctx.cluster)?.cluster;
  const user = ((doc.users as Named<Rec>[] | undefined) ?? []).find((u) => u.name === ctx.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string') throw new Error(`${file}: cluster ${String(ctx.cluster)} has no server`);
  const base = dirname(file);
  const blob = (data: unknown, path: unknown): Buffer | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    if (typeof path === 'string') return readFileSync(isAbsolute(path) ? path : resolve(base, path));
    return undefined;
  };
  const t: KubeTarget = { server: cluster.server.replace(/\/+$/, ''), insecure: cluster['insecure-skip-tls-verify'] === true };
  const ca = blob(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = blob(user['client-certificate-data'], user['client-certificate']);
  const key = blob(user['client-key-data'], user['client-key']);
  if (ca) t.ca = ca;
  if (cert) t.cert = cert;
  if (key) t.key = key;
  if (typeof user.token === 'string') t.token = user.token;
  return t;
}
