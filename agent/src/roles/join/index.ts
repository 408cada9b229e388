import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { EVENT_KINDS, type JoinConfig } from '@lab/shared';
import type { Reporter } from '../../reporter/reporter.js';
import { backoffDelay } from '../../reporter/backoff.js';
import { parseKubeconfig, type KubeTarget } from './kubeconfig.js';
import { kubeGet } from './kube.js';
import { appStates, changes, nodeReadiness } from './observe.js';

export { parseKubeconfig } from './kubeconfig.js';
export { nodeReadiness, appStates, changes } from './observe.js';

type Check = () => Promise<void>;

interface Watch {
  name: string;
  check: Check;
  failures: number;
  timer: NodeJS.Timeout | null;
  /** Whether the last check failed; a change either way is reported once. */
  failing: boolean | null;
}

/**
 * The join role: polls the Kubernetes API (node Ready), Talos apid (TCP reachability), Argo CD
 * Applications and the Harvester cluster. Each change of state is one event; a failing check is
 * retried with exponential backoff and jitter, capped at ten intervals.
 */
export class JoinRole {
  private readonly watches: Watch[] = [];
  private stopped = false;

  constructor(
    private readonly cfg: JoinConfig,
    private readonly reporter: Reporter,
    private readonly selfHost: string,
  ) {
    const kube = cfg.kubeconfig ? lazyTarget(cfg.kubeconfig) : undefined;
    if (kube) {
      let nodes: Map<string, boolean> | undefined;
      this.add('kubernetes-nodes', async () => {
        const now = nodeReadiness(await kubeGet(kube(), '/api/v1/nodes'));
        for (const [node, ready] of changes(nodes, now)) {
          this.reporter.emit({ source: 'join', kind: ready ? EVENT_KINDS.nodeReady : EVENT_KINDS.nodeNotReady, host: node, attrs: { node } });
        }
        nodes = now;
      });
      let apps: Map<string, string> | undefined;
      let allHealthy = false;
      this.add('argocd-applications', async () => {
        const now = appStates(await kubeGet(kube(), `/apis/argoproj.io/v1alpha1/namespaces/${cfg.argocdNamespace}/applications`));
        for (const [app, state] of changes(apps, now)) {
          const [health, sync] = state.split('/');
          this.reporter.emit({ source: 'join', kind: EVENT_KINDS.argoApp, host: this.selfHost, attrs: { app, health, sync } });
        }
        apps = now;
        const healthy = now.size > 0 && [...now.values()].every((s) => s.startsWith('Healthy/'));
        if (healthy !== allHealthy) {
          allHealthy = healthy;
          if (healthy) this.reporter.emit({ source: 'join', kind: EVENT_KINDS.argoHealthy, host: this.selfHost, attrs: { applications: now.size } });
        }
      });
    }
    for (const t of cfg.talos) {
      let reachable: boolean | undefined;
      this.add(`talos-apid-${t.host}`, async () => {
        const now = await tcpReachable(t.endpoint, 3000);
        if (now !== reachable) {
          reachable = now;
          this.reporter.emit({ source: 'join', kind: EVENT_KINDS.apidReachable, host: t.host, attrs: { endpoint: t.endpoint, reachable: now } });
        }
      });
    }
    if (cfg.harvester) {
      const harvester = lazyTarget(cfg.harvester.kubeconfig);
      const want = cfg.harvester.nodes;
      let ready: boolean | undefined;
      this.add('harvester-cluster', async () => {
        const nodes = nodeReadiness(await kubeGet(harvester(), '/api/v1/nodes'));
        const readyCount = [...nodes.values()].filter(Boolean).length;
        const now = readyCount >= want;
        if (now !== ready) {
          ready = now;
          this.reporter.emit({ source: 'join', kind: EVENT_KINDS.harvesterReady, host: this.selfHost, attrs: { ready: now, readyNodes: readyCount, wantNodes: want } });
        }
      });
    }
  }

  start(): void {
    for (const w of this.watches) this.run(w);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches) if (w.timer) clearTimeout(w.timer);
  }

  private add(name: string, check: Check): void {
    this.watches.push({ name, check, failures: 0, timer: null, failing: null });
  }

  private run(w: Watch): void {
    const interval = this.cfg.intervalSeconds * 1000;
    w.check().then(
      () => {
        if (w.failing === true) this.reporter.emit({ source: 'join', kind: 'join.watch-recovered', host: this.selfHost, attrs: { watch: w.name } });
        w.failing = false;
        w.failures = 0;
        this.schedule(w, interval);
      },
      (err: Error) => {
        if (w.failing !== true) this.reporter.emit({ source: 'join', kind: 'join.watch-failing', host: this.selfHost, attrs: { watch: w.name, reason: err.message } });
        w.failing = true;
        w.failures++;
        this.schedule(w, interval + backoffDelay(w.failures, interval, interval * 10));
      },
    );
  }

  private schedule(w: Watch, ms: number): void {
    if (this.stopped) return;
    w.timer = setTimeout(() => this.run(w), ms);
  }
}

/** Reads the kubeconfig when first needed, so a file written later (after bootstrap) is picked up. */
function lazyTarget(file: string): () => KubeTarget {
  let cached: KubeTarget | undefined;
  return () => {
    if (!cached) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`kubeconfig ${file} not readable yet (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
      }
      cached = parseKubeconfig(text, file);
    }
    return cached;
  };
}

export function tcpReachable(endpoint: string, timeoutMs: number): Promise<boolean> {
  const i = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, i);
  const port = Number(endpoint.slice(i + 1));
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
  });
}
