import type { LabEvent } from '@lab/shared';

/**
 * Pure: Kubernetes API documents → join events. Field names are the Kubernetes core/v1 Node
 * (`status.conditions[type=Ready]`, `status.addresses`, `status.nodeInfo`), apps/v1 Deployment and
 * StatefulSet (`spec.replicas`, `status.availableReplicas` / `readyReplicas`) and Argo CD's
 * `argoproj.io/v1alpha1` Application (`status.health.status`, `status.sync.status`,
 * `status.operationState.message`).
 */

/** A join event before it gets its id and time; `key` says which fact it updates. */
export interface Observation {
  key: string;
  event: Omit<LabEvent, 'id' | 'time' | 'attrs'> & { attrs: Record<string, unknown> };
}

interface Meta {
  name?: string;
  labels?: Record<string, string>;
}
export interface KubeNode {
  metadata?: Meta;
  status?: {
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: { osImage?: string; kubeletVersion?: string; machineID?: string };
  };
}
export interface KubeList<T> {
  items?: T[];
}
export interface Workload {
  metadata?: Meta;
  spec?: { replicas?: number };
  status?: { availableReplicas?: number; readyReplicas?: number };
}
export interface ArgoApplication {
  metadata?: Meta;
  status?: { health?: { status?: string; message?: string }; sync?: { status?: string }; operationState?: { phase?: string; message?: string } };
}

/** A node name as the lab knows it: itself, or the first label of a FQDN. */
export function labHostOf(nodeName: string, isLabHost: (n: string) => boolean): string | undefined {
  if (isLabHost(nodeName)) return nodeName;
  const first = nodeName.split('.')[0] ?? '';
  return isLabHost(first) ? first : undefined;
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** Each node of a cluster the lab names, Ready or not. `kind` is join.node-* or join.harvester-*. */
export function observeNodes(list: KubeList<KubeNode>, isLabHost: (n: string) => boolean, cluster: 'platform' | 'harvester'): Observation[] {
  const out: Observation[] = [];
  for (const n of list.items ?? []) {
    const node = n.metadata?.name;
    if (!node) continue;
    const host = labHostOf(node, isLabHost);
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    const isReady = ready?.status === 'True';
    const attrs: Record<string, unknown> = {
      node,
      cluster,
      ready: isReady,
      addresses: (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && a.address).map((a) => a.address),
      roles: Object.keys(n.metadata?.labels ?? {}).filter((l) => l.startsWith(ROLE_PREFIX)).map((l) => l.slice(ROLE_PREFIX.length)).sort(),
    };
    if (!isReady) attrs.reason = [ready?.reason, ready?.message].filter(Boolean).join(': ') || 'no Ready condition yet';
    if (n.status?.nodeInfo?.kubeletVersion) attrs.kubelet = n.status.nodeInfo.kubeletVersion;
    if (n.status?.nodeInfo?.osImage) attrs.os = n.status.nodeInfo.osImage;
    const kind = cluster === 'harvester' ? (isReady ? 'join.harvester-ready' : 'join.harvester-not-ready') : isReady ? 'join.node-ready' : 'join.node-not-ready';
    // A node the lab does not name is still worth showing: it is reported against no host.
    if (!host) continue;
    out.push({ key: `${cluster}-node:${node}`, event: { host, source: 'join', kind, attrs } });
  }
  return out;
}

/** Argo CD itself: every Deployment and StatefulSet in its namespace has its replicas available. */
export function observeArgoCd(deployments: KubeList<Workload>, statefulSets: KubeList<Workload>, reportHost: string): Observation {
  const all = [...(deployments.items ?? []), ...(statefulSets.items ?? [])];
  const waiting = all
    .filter((w) => (w.status?.availableReplicas ?? w.status?.readyReplicas ?? 0) < (w.spec?.replicas ?? 1))
    .map((w) => w.metadata?.name ?? '?')
    .sort();
  const healthy = all.length > 0 && waiting.length === 0;
  const attrs: Record<string, unknown> = { healthy, workloads: all.length };
  if (!healthy) attrs.waiting = all.length === 0 ? ['(no Argo CD workloads yet)'] : waiting;
  return { key: 'argocd', event: { host: reportHost, source: 'join', kind: healthy ? 'join.argocd-healthy' : 'join.argocd-waiting', attrs } };
}

/** Each Argo CD Application's health and sync, as Argo CD reports them. */
export function observeApplications(list: KubeList<ArgoApplication>, reportHost: string): Observation[] {
  return (list.items ?? []).flatMap((a): Observation[] => {
    const app = a.metadata?.name;
    if (!app) return [];
    const attrs: Record<string, unknown> = { app, health: a.status?.health?.status ?? 'Unknown', sync: a.status?.sync?.status ?? 'Unknown' };
    const message = a.status?.operationState?.message ?? a.status?.health?.message;
    if (message) attrs.message = message.slice(0, 500);
    return [{ key: `argocd-app:${app}`, event: { host: reportHost, source: 'join', kind: 'join.argocd-app', attrs } }];
  });
}
