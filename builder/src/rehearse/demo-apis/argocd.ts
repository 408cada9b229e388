import { parseAllDocuments } from 'yaml';
import type { KubeState } from './kube.js';

/**
 * Argo CD in the demo: the install manifest the demo node's config carries (Argo CD's own
 * workloads by their names in its install.yaml, a few hundred bytes instead of its 25,000 lines),
 * and a controller that moves them the way a cluster would, on the state of the demo Kubernetes
 * API. Only the objects the node applied exist; nothing runs before a node is Ready (pods stay
 * Pending without a schedulable node, and Argo CD's own pods need the CNI); Applications start
 * syncing only once every Argo CD workload is available, the root Application first; the child
 * Applications are those of the demo GitOps repository — the platform applications the lab's
 * phase 2 waits for — each going OutOfSync/Missing → Synced/Progressing → Synced/Healthy.
 * Not modelled: pods, images, the repository itself (nothing is fetched), sync waves, hooks,
 * pruning, and any failure of a sync.
 */

export const DEMO_ARGOCD_INSTALL_SOURCE = 'demo Argo CD install manifest (builder rehearse --demo)';

const deployments = ['argocd-applicationset-controller', 'argocd-dex-server', 'argocd-notifications-controller', 'argocd-redis', 'argocd-repo-server', 'argocd-server'];

/** Argo CD's objects as the demo carries them: its Application CRD, its Deployments and its StatefulSet. */
export const DEMO_ARGOCD_INSTALL = [
  '# demo: the names of Argo CD\'s install.yaml objects only (builder rehearse --demo), not Argo CD',
  'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: applications.argoproj.io\n  labels:\n    demo: "true"\n',
  ...deployments.map((d) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${d}\n  labels:\n    demo: "true"\nspec:\n  replicas: 1\n`),
  'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: argocd-application-controller\n  labels:\n    demo: "true"\nspec:\n  replicas: 1\n',
].join('\n---\n');

interface Obj {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number };
}

export class DemoArgoCd {
  private readyAt?: number;
  private healthyAt?: number;
  private childrenAt?: number;
  private readonly roots = new Set<string>();
  /** Manifests the node applied, by name, in order. */
  readonly applied: string[] = [];

  constructor(
    private readonly state: KubeState,
    private readonly o: { namespace: string; platformApps: readonly string[]; stepMs?: number },
  ) {}

  private get step(): number {
    return this.o.stepMs ?? 2000;
  }

  /** One applied manifest: the objects Argo CD's workloads and Applications are made of. */
  apply(name: string, yaml: string): void {
    this.applied.push(name);
    for (const doc of parseAllDocuments(yaml)) {
      const o = doc.toJS() as Obj | null;
      if (!o?.kind || !o.metadata?.name) continue;
      const inNs = (o.metadata.namespace ?? this.o.namespace) === this.o.namespace;
      if (o.kind === 'CustomResourceDefinition' && o.metadata.name === 'applications.argoproj.io') this.state.argocd ??= { workloads: [], apps: [] };
      if (!inNs) continue;
      const a = (this.state.argocd ??= { workloads: [], apps: [] });
      if ((o.kind === 'Deployment' || o.kind === 'StatefulSet') && !a.workloads.some((w) => w.name === o.metadata!.name)) {
        a.workloads.push({ name: o.metadata.name, replicas: o.spec?.replicas ?? 1, available: 0, ...(o.kind === 'StatefulSet' ? { kind: 'sts' as const } : {}) });
      }
      if (o.kind === 'Application' && !a.apps.some((x) => x.name === o.metadata!.name)) {
        a.apps.push({ name: o.metadata.name, health: 'Unknown', sync: 'Unknown' });
        this.roots.add(o.metadata.name);
      }
    }
  }

  /** Moves the cluster on to `now` (ms). */
  tick(now: number): void {
    const a = this.state.argocd;
    if (this.readyAt === undefined && this.state.nodes.some((n) => n.ready)) this.readyAt = now;
    if (!a || this.readyAt === undefined) return;
    a.workloads.forEach((w, i) => {
      if (now >= this.readyAt! + this.step * (1 + (i % 3))) w.available = w.replicas;
    });
    if (this.healthyAt === undefined && a.workloads.length > 0 && a.workloads.every((w) => w.available >= w.replicas)) this.healthyAt = now;
    if (this.healthyAt === undefined) return;
    for (const app of a.apps.filter((x) => this.roots.has(x.name))) {
      if (now < this.healthyAt + this.step) continue;
      app.sync = 'Synced';
      app.health = 'Healthy';
      this.childrenAt ??= now;
    }
    if (this.childrenAt === undefined) return;
    this.o.platformApps.forEach((name, j) => {
      let app = a.apps.find((x) => x.name === name);
      if (!app) {
        app = { name, health: 'Missing', sync: 'OutOfSync' };
        a.apps.push(app);
      }
      const t = now - this.childrenAt!;
      if (t >= this.step * (2 + j)) [app.sync, app.health] = ['Synced', 'Healthy'];
      else if (t >= this.step * (1 + j)) [app.sync, app.health] = ['Synced', 'Progressing'];
    });
  }
}
