import { appendFile, readFile } from 'node:fs/promises';
import type { LabEvent } from '@lab/shared';
import type { CollectorHub } from '../hub.js';
import { ChangeTracker } from './changes.js';
import { readHarvesterKubeconfig } from './harvester-kubeconfig.js';
import { KubeApi } from './kube-api.js';
import { observeApplications, observeArgoCd, observeNodes, type ArgoApplication, type KubeList, type KubeNode, type Observation, type Workload } from './kube-observe.js';
import { TalosApi } from './talos-api.js';
import { observeTalos, type TalosPoll } from './talos-observe.js';
import type { JoinTargets } from './targets.js';

export interface JoinWatchOptions {
  /** Between polls (default 10 s). */
  intervalMs?: number;
  /** Call Talos's Bootstrap on this host once its etcd waits for it and no host has etcd members. */
  bootstrapHost?: string;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface JoinWatchers {
  /** One round of every watcher (tests and the first round call it directly). */
  pollOnce(): Promise<void>;
  close(): Promise<void>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The collector's join watchers: the laptop holds the admin credentials and asks the clusters
 * themselves — the platform's Kubernetes API (nodes Ready, Argo CD and its Applications), each
 * platform node's Talos API (version, services and their health, etcd members) and Harvester's
 * Kubernetes API (nodes Ready, with the kubeconfig read over SSH). Each writes join.* events into
 * the same store as every other ingest path, only when what it sees changed.
 */
export function startJoinWatchers(hub: CollectorHub, targets: JoinTargets, options: JoinWatchOptions = {}): JoinWatchers {
  const now = options.now ?? (() => new Date());
  const sink = options.log ?? (() => undefined);
  // A poll repeats every few seconds: say a line once, and again only when it changes.
  const said = new Map<string, string>();
  const log = (line: string, key = line.split(':')[1] ?? line) => {
    if (said.get(key) === line) return;
    said.set(key, line);
    sink(line);
  };
  const tracker = new ChangeTracker('join');
  const platform = targets.platform;
  const kube = platform?.kube ? new KubeApi(platform.kube) : undefined;
  const talos = new Map<string, TalosApi>();
  if (platform?.talos) for (const h of platform.hosts) talos.set(h.name, new TalosApi(platform.talos, h.endpoint));
  const harvesterApis = new Map<string, KubeApi>();
  let bootstrapped = false;
  const isLabHost = (n: string) => hub.directory.hasHost(n);

  const emit = (obs: Observation[]) => {
    const events: LabEvent[] = tracker.changed(obs, now());
    if (events.length > 0) hub.ingest(events, 'join');
  };

  async function pollKube(api: KubeApi, ns: string, reportHost: string): Promise<void> {
    try {
      const nodes = await api.get<KubeList<KubeNode>>('/api/v1/nodes');
      emit(observeNodes(nodes, isLabHost, 'platform'));
    } catch (err) {
      log(`join: platform Kubernetes API ${api.server}: ${message(err)}`);
      return;
    }
    try {
      const [deps, sets] = await Promise.all([api.get<KubeList<Workload>>(`/apis/apps/v1/namespaces/${ns}/deployments`), api.get<KubeList<Workload>>(`/apis/apps/v1/namespaces/${ns}/statefulsets`)]);
      emit([observeArgoCd(deps, sets, reportHost)]);
      const apps = await api.get<KubeList<ArgoApplication>>(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications`);
      emit(observeApplications(apps, reportHost));
    } catch (err) {
      // Before Argo CD is installed its CRD does not exist: 404 is "not yet", not a fault.
      log(`join: Argo CD: ${message(err)}`);
    }
  }

  async function pollTalos(name: string, api: TalosApi, controlPlane: boolean): Promise<TalosPoll> {
    const poll: TalosPoll = {};
    try {
      poll.version = await api.version();
      poll.services = await api.services();
    } catch (err) {
      poll.error = message(err);
    }
    if (poll.version) {
      try {
        poll.disks = await api.disks();
      } catch (err) {
        log(`join: ${name} disks: ${message(err)}`);
      }
    }
    if (poll.version && controlPlane) {
      try {
        poll.etcd = await api.etcdMembers();
      } catch (err) {
        poll.etcdError = message(err);
      }
    }
    emit(observeTalos(name, poll, controlPlane));
    return poll;
  }

  async function maybeBootstrap(polls: Map<string, TalosPoll>): Promise<void> {
    const host = options.bootstrapHost;
    if (!host || bootstrapped) return;
    const mine = polls.get(host);
    const anyMembers = [...polls.values()].some((p) => (p.etcd?.members.length ?? 0) > 0);
    const waiting = mine?.services?.services.find((s) => s.id === 'etcd')?.state === 'Preparing';
    if (!waiting || anyMembers) return;
    bootstrapped = true;
    const api = talos.get(host)!;
    const at = now();
    try {
      await api.bootstrap();
      hub.ingest([{ id: `join.bootstrap.${host}.${at.getTime()}`, host, source: 'join', kind: 'join.bootstrap', time: at.toISOString(), attrs: { ok: true, endpoint: api.endpoint } }], 'join');
      log(`join: bootstrapped etcd on ${host} (${api.endpoint})`);
    } catch (err) {
      hub.ingest([{ id: `join.bootstrap.${host}.${at.getTime()}`, host, source: 'join', kind: 'join.bootstrap', time: at.toISOString(), attrs: { ok: false, error: message(err).slice(0, 300) } }], 'join');
      log(`join: bootstrap on ${host} failed: ${message(err)}`);
    }
  }

  async function harvesterApi(name: string, address: string): Promise<KubeApi | undefined> {
    const known = harvesterApis.get(name);
    if (known) return known;
    const h = targets.harvester!;
    const knownHosts = await readFile(h.ssh.knownHostsFile, 'utf8').catch(() => '');
    try {
      const got = await readHarvesterKubeconfig({ host: address, port: h.ssh.port, user: h.ssh.user, privateKey: h.ssh.privateKey, knownHosts, ...(h.ssh.command ? { command: h.ssh.command } : {}) });
      if (got.pin) await appendFile(h.ssh.knownHostsFile, got.pin, { mode: 0o600 });
      const origin = h.apiOverride?.(name);
      const api = new KubeApi(origin ? { ...got.creds, server: origin } : got.creds);
      harvesterApis.set(name, api);
      return api;
    } catch (err) {
      log(`join: Harvester ${name}: ${message(err)}`);
      return undefined;
    }
  }

  async function pollHarvester(): Promise<void> {
    const h = targets.harvester;
    if (!h) return;
    // Any one node's API lists the whole cluster; ask the first that answers.
    for (const host of h.hosts) {
      const api = await harvesterApi(host.name, host.address);
      if (!api) continue;
      try {
        emit(observeNodes(await api.get<KubeList<KubeNode>>('/api/v1/nodes'), isLabHost, 'harvester'));
        return;
      } catch (err) {
        harvesterApis.delete(host.name);
        log(`join: Harvester ${host.name} API: ${message(err)}`);
      }
    }
  }

  async function pollOnce(): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    if (kube && platform) jobs.push(pollKube(kube, platform.argocdNamespace, platform.reportHost));
    const polls = new Map<string, TalosPoll>();
    const talosJobs = platform ? platform.hosts.filter((h) => talos.has(h.name)).map(async (h) => polls.set(h.name, await pollTalos(h.name, talos.get(h.name)!, h.controlPlane))) : [];
    jobs.push(Promise.all(talosJobs).then(() => maybeBootstrap(polls)));
    jobs.push(pollHarvester());
    await Promise.all(jobs);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  const loop = () => {
    running = pollOnce()
      .catch((err: unknown) => log(`join: ${message(err)}`))
      .finally(() => {
        if (!closed) timer = setTimeout(loop, options.intervalMs ?? 10_000);
      });
  };
  if (options.intervalMs !== 0) setImmediate(loop);

  return {
    pollOnce,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      for (const t of talos.values()) t.close();
    },
  };
}
