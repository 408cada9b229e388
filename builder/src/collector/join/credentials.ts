import { parse } from 'yaml';

/**
 * The admin client credentials `builder render` writes (rendered/kubeconfig, rendered/talosconfig),
 * read back for the collector's join watchers. Only the laptop holds them: no stick carries an
 * admin credential. Errors name the file and the field; they never quote a key.
 */

export interface KubeCredentials {
  /** `https://host:port`, without a trailing slash. */
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface TalosCredentials {
  endpoints: string[];
  nodes: string[];
  ca: Buffer;
  crt: Buffer;
  key: Buffer;
}

export class CredentialsError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'CredentialsError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function b64(file: string, field: string, v: unknown): Buffer {
  if (typeof v !== 'string' || v.trim() === '') throw new CredentialsError(file, field, 'missing (base64 PEM expected)');
  const pem = Buffer.from(v, 'base64');
  if (!pem.toString('utf8').includes('-----BEGIN ')) throw new CredentialsError(file, field, 'is not base64 of a PEM block');
  return pem;
}

function named(list: unknown, name: unknown, what: string, file: string): Obj {
  if (!Array.isArray(list)) throw new CredentialsError(file, `${what}s`, 'missing');
  const hit = list.find((x) => isObj(x) && x.name === name);
  if (!isObj(hit)) throw new CredentialsError(file, `${what}s`, `no ${what} named ${String(name)}`);
  return hit;
}

/**
 * Talos (siderolabs/crypto) labels PKCS#8 Ed25519 keys `ED25519 PRIVATE KEY`; OpenSSL, and so
 * node:tls, reads the same DER only under the standard `PRIVATE KEY` label.
 */
function tlsKey(pem: Buffer): Buffer {
  return Buffer.from(pem.toString('utf8').replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, '-----$1 PRIVATE KEY-----'));
}

/** The current context of a kubeconfig with embedded certificate data (what render writes). */
export function parseKubeconfig(text: string, file: string): KubeCredentials {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new CredentialsError(file, '(document)', `not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new CredentialsError(file, '(document)', 'not a kubeconfig');
  const ctxName = doc['current-context'];
  const ctx = named(doc.contexts, ctxName, 'context', file).context;
  if (!isObj(ctx)) throw new CredentialsError(file, `contexts[${String(ctxName)}].context`, 'missing');
  const cluster = named(doc.clusters, ctx.cluster, 'cluster', file).cluster;
  const user = named(doc.users, ctx.user, 'user', file).user;
  if (!isObj(cluster) || typeof cluster.server !== 'string') throw new CredentialsError(file, 'clusters[].cluster.server', 'missing');
  if (!isObj(user)) throw new CredentialsError(file, 'users[].user', 'missing');
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: b64(file, 'clusters[].cluster.certificate-authority-data', cluster['certificate-authority-data']),
    cert: b64(file, 'users[].user.client-certificate-data', user['client-certificate-data']),
    key: tlsKey(b64(file, 'users[].user.client-key-data', user['client-key-data'])),
  };
}

/** The current context of a talosconfig (`context`, `contexts.<name>.{endpoints,nodes,ca,crt,key}`). */
export function parseTalosconfig(text: string, file: string): TalosCredentials {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new CredentialsError(file, '(document)', `not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc) || !isObj(doc.contexts)) throw new CredentialsError(file, 'contexts', 'missing');
  const name = String(doc.context ?? '');
  const ctx = doc.contexts[name];
  if (!isObj(ctx)) throw new CredentialsError(file, `contexts.${name}`, 'missing (the current context)');
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const endpoints = list(ctx.endpoints);
  if (endpoints.length === 0) throw new CredentialsError(file, `contexts.${name}.endpoints`, 'empty');
  return {
    endpoints,
    nodes: list(ctx.nodes),
    ca: b64(file, `contexts.${name}.ca`, ctx.ca),
    crt: b64(file, `contexts.${name}.crt`, ctx.crt),
    key: tlsKey(b64(file, `contexts.${name}.key`, ctx.key)),
  };
}
