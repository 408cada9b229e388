import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerCert } from './lab-credentials.js';

/**
 * A stand-in Kubernetes API server on loopback over HTTPS: server certificate from the cluster's
 * CA, client certificates required and verified against it (as kube-apiserver's
 * --client-ca-file does). It serves the GETs the watchers make, from a mutable state, in the
 * shapes of core/v1 NodeList, apps/v1 DeploymentList/StatefulSetList and Argo CD's
 * argoproj.io/v1alpha1 ApplicationList; an unknown path answers a 404 Status document, as the
 * API does for a CRD that is not installed yet. Not modelled: watch streams, RBAC, pagination.
 */

export interface KubeState {
  nodes: { name: string; ready: boolean; reason?: string; address?: string; roles?: string[] }[];
  /** undefined: Argo CD is not installed (its CRD and namespace are missing). */
  argocd?: { workloads: { name: string; replicas: number; available: number; kind?: 'sts' }[]; apps: { name: string; health: string; sync: string; message?: string }[] };
}

function nodeList(s: KubeState) {
  return {
    kind: 'NodeList',
    apiVersion: 'v1',
    items: s.nodes.map((n) => ({
      metadata: { name: n.name, labels: Object.fromEntries((n.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, ''])) },
      status: {
        conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False', reason: n.reason ?? (n.ready ? 'KubeletReady' : 'KubeletNotReady'), message: n.ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }],
        addresses: n.address ? [{ type: 'InternalIP', address: n.address }, { type: 'Hostname', address: n.name }] : [],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Talos (v1.12.0)' },
      },
    })),
  };
}

export interface StandinKube {
  origin: string;
  paths: string[];
  close(): Promise<void>;
}

export async function startStandinKube(state: KubeState, ca: Buffer, cert: ServerCert): Promise<StandinKube> {
  const paths: string[] = [];
  const server = https.createServer({ key: cert.key, cert: cert.cert, ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    paths.push(path);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () => send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
    if (path === '/api/v1/nodes') return send(200, nodeList(state));
    const a = state.argocd;
    if (!a) return notFound();
    if (path === '/apis/apps/v1/namespaces/argocd/deployments' || path === '/apis/apps/v1/namespaces/argocd/statefulsets') {
      const sts = path.endsWith('statefulsets');
      return send(200, { items: a.workloads.filter((w) => (w.kind === 'sts') === sts).map((w) => ({ metadata: { name: w.name }, spec: { replicas: w.replicas }, status: sts ? { readyReplicas: w.available } : { availableReplicas: w.available } })) });
    }
    if (path === '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications') {
      return send(200, { items: a.apps.map((x) => ({ metadata: { name: x.name }, status: { health: { status: x.health }, sync: { status: x.sync }, ...(x.message ? { operationState: { phase: 'Running', message: x.message } } : {}) } })) });
    }
    return notFound();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `https://127.0.0.1:${port}`, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
