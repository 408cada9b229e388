import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ServerCert } from './certs.js';

/**
 * The demo's Kubernetes API server over HTTPS: server certificate from the cluster's CA, client
 * certificates verified against it (as kube-apiserver's --client-ca-file does). It serves the
 * GETs the join watchers make, from a state, in the shapes of core/v1 NodeList, apps/v1
 * DeploymentList/StatefulSetList and Argo CD's argoproj.io/v1alpha1 ApplicationList; an unknown
 * path answers a 404 Status document, as the API does for a CRD that is not installed yet.
 *
 * What changes the state is what the cluster's own members send: a node registers its Node
 * object (POST /api/v1/nodes) and reports its conditions (PATCH /api/v1/nodes/NAME/status) as
 * the kubelet does, and Talos's manifest controller applies its inline manifests (POST
 * /demo/v1/manifests/NAME, one manifest whole — demo only; Talos server-side-applies each
 * object). Writers authenticate with a bearer token the cluster knows (the bootstrap token).
 * Not modelled: watch streams, RBAC, pagination, the kubelet's TLS bootstrap (CSR and its client
 * certificate: the demo node writes with the bootstrap token), admission and every other path.
 */

export interface KubeNodeState {
  name: string;
  ready: boolean;
  reason?: string;
  message?: string;
  address?: string;
  roles?: string[];
  kubelet?: string;
  os?: string;
}

export interface KubeState {
  nodes: KubeNodeState[];
  /** undefined: Argo CD is not installed (its CRD and namespace are missing). */
  /** The DaemonSets of the manifests nodes applied (a joining node's kubelet waits for the CNI's). */
  daemonSets?: { namespace: string; name: string }[];
  argocd?: { workloads: { name: string; replicas: number; available: number; kind?: 'sts' }[]; apps: { name: string; health: string; sync: string; message?: string }[] };
}

export interface KubeWriters {
  /** Bearer tokens that may write (a node registering, Talos applying its manifests). */
  tokens: string[];
  /** A manifest applied by a node (its name and its YAML documents). */
  onManifest?(name: string, yaml: string): void;
}

export interface DemoKube {
  origin: string;
  port: number;
  paths: string[];
  close(): Promise<void>;
}

const NOT_READY = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

/** The DaemonSets among a manifest's YAML documents (top-level kind, metadata name and namespace). */
export function daemonSetsOf(yaml: string): { namespace: string; name: string }[] {
  return yaml.split(/^---\s*$/m).flatMap((doc) => {
    const lines = doc.split('\n');
    if (!lines.some((l) => /^kind:\s*DaemonSet\s*$/.test(l))) return [];
    const start = lines.findIndex((l) => /^metadata:\s*$/.test(l));
    const meta: Record<string, string> = {};
    for (const l of start < 0 ? [] : lines.slice(start + 1)) {
      if (!/^\s/.test(l)) break;
      const m = /^ {2}(name|namespace):\s*["']?([^"'\s]+)/.exec(l);
      if (m) meta[m[1]!] = m[2]!;
    }
    return meta.name ? [{ namespace: meta.namespace ?? 'default', name: meta.name }] : [];
  });
}

function nodeList(s: KubeState) {
  return {
    kind: 'NodeList',
    apiVersion: 'v1',
    items: s.nodes.map((n) => ({
      metadata: { name: n.name, labels: Object.fromEntries([['kubernetes.io/hostname', n.name], ...(n.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, ''])]) },
      status: {
        conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False', reason: n.reason ?? (n.ready ? 'KubeletReady' : 'KubeletNotReady'), message: n.message ?? (n.ready ? 'kubelet is posting ready status' : NOT_READY) }],
        addresses: n.address ? [{ type: 'InternalIP', address: n.address }, { type: 'Hostname', address: n.name }] : [],
        nodeInfo: { kubeletVersion: n.kubelet ?? 'v1.32.0', osImage: n.os ?? 'Talos (v1.12.0)' },
      },
    })),
  };
}

interface NodeDoc {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[]; addresses?: { type?: string; address?: string }[]; nodeInfo?: { kubeletVersion?: string; osImage?: string } };
}

/** A Node document (POSTed or a status patch) into the state's node, keeping what it does not say. */
export function applyNodeDoc(s: KubeState, doc: NodeDoc, name = doc.metadata?.name): KubeNodeState | undefined {
  if (!name) return undefined;
  let n = s.nodes.find((x) => x.name === name);
  if (!n) {
    n = { name, ready: false };
    s.nodes.push(n);
  }
  const labels = doc.metadata?.labels;
  if (labels) n.roles = Object.keys(labels).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length));
  const ready = doc.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready) {
    n.ready = ready.status === 'True';
    n.reason = ready.reason ?? (n.ready ? 'KubeletReady' : 'KubeletNotReady');
    n.message = ready.message ?? (n.ready ? 'kubelet is posting ready status' : NOT_READY);
  }
  const ip = doc.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (ip) n.address = ip;
  if (doc.status?.nodeInfo?.kubeletVersion) n.kubelet = doc.status.nodeInfo.kubeletVersion;
  if (doc.status?.nodeInfo?.osImage) n.os = doc.status.nodeInfo.osImage;
  return n;
}

function readBody(req: IncomingMessage, limit = 4 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

export async function startDemoKube(state: KubeState, ca: Buffer, cert: ServerCert, options: { host?: string; port?: number; writers?: KubeWriters; argocdNamespace?: string } = {}): Promise<DemoKube> {
  const paths: string[] = [];
  const ns = options.argocdNamespace ?? 'argocd';
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0]!;
    paths.push(`${req.method} ${path}`);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () => send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const byCert = (req.socket as TLSSocket).authorized;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const byToken = bearer !== undefined && (options.writers?.tokens ?? []).includes(bearer);
    if (!byCert && !byToken) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (req.method === 'GET') {
      if (path === '/api/v1/nodes') return send(200, nodeList(state));
      if (path === '/apis/apps/v1/daemonsets') return send(200, { kind: 'DaemonSetList', items: (state.daemonSets ?? []).map((d) => ({ metadata: { name: d.name, namespace: d.namespace } })) });
      const a = state.argocd;
      if (!a) return notFound();
      if (path === `/apis/apps/v1/namespaces/${ns}/deployments` || path === `/apis/apps/v1/namespaces/${ns}/statefulsets`) {
        const sts = path.endsWith('statefulsets');
        return send(200, { items: a.workloads.filter((w) => (w.kind === 'sts') === sts).map((w) => ({ metadata: { name: w.name }, spec: { replicas: w.replicas }, status: sts ? { readyReplicas: w.available } : { availableReplicas: w.available } })) });
      }
      if (path === `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications`) {
        return send(200, { items: a.apps.map((x) => ({ metadata: { name: x.name }, status: { health: { status: x.health }, sync: { status: x.sync }, ...(x.message ? { operationState: { phase: 'Running', message: x.message } } : {}) } })) });
      }
      return notFound();
    }
    if (!options.writers) return send(405, status(405, 'MethodNotAllowed', 'this demo API is read-only'));
    const body = await readBody(req);
    if (req.method === 'POST' && path === '/api/v1/nodes') {
      const n = applyNodeDoc(state, JSON.parse(body) as NodeDoc);
      return n ? send(201, { kind: 'Node', metadata: { name: n.name } }) : send(422, status(422, 'Invalid', 'metadata.name: Required value'));
    }
    const statusPath = /^\/api\/v1\/nodes\/([^/]+)\/status$/.exec(path);
    if ((req.method === 'PATCH' || req.method === 'PUT') && statusPath) {
      if (!state.nodes.some((x) => x.name === statusPath[1])) return send(404, status(404, 'NotFound', `nodes "${statusPath[1]}" not found`));
      applyNodeDoc(state, JSON.parse(body) as NodeDoc, statusPath[1]);
      return send(200, { kind: 'Node', metadata: { name: statusPath[1] } });
    }
    const manifest = /^\/demo\/v1\/manifests\/([\w.-]+)$/.exec(path);
    if (req.method === 'POST' && manifest) {
      options.writers.onManifest?.(manifest[1]!, body);
      state.daemonSets = [...(state.daemonSets ?? []), ...daemonSetsOf(body)];
      return send(200, { kind: 'Status', status: 'Success', message: `demo: manifest ${manifest[1]} applied` });
    }
    return notFound();
  };
  // Client certificates are asked for and verified, but a bearer token is the other way in (the node's writes).
  const server = https.createServer({ key: cert.key, cert: cert.cert, ca, requestCert: true, rejectUnauthorized: !options.writers }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status(400, 'BadRequest', err instanceof Error ? err.message : String(err))));
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return { origin: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, port, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
