import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromLab } from '@lab/shared';
import { HostDirectory } from '../../builder/src/collector/directory.js';
import { CollectorHub } from '../../builder/src/collector/hub.js';
import { EventStore } from '../../builder/src/collector/store.js';
import { parseKubeconfig, parseTalosconfig } from '../../builder/src/collector/join/credentials.js';
import { planJoinTargets } from '../../builder/src/collector/join/targets.js';
import { startJoinWatchers, type JoinWatchers } from '../../builder/src/collector/join/watchers.js';
import { exampleLab, labCredentials } from './lab-credentials.js';
import { startStandinApid, type ApidState, type StandinApid } from './standin-apid.js';
import { startStandinKube, type KubeState, type StandinKube } from './standin-kube.js';

// Stand-ins: a Talos apid (grpc-js, mutual TLS, Talos's machine API wire format) and a Kubernetes
// API server (HTTPS, client certificates), both on loopback — see the files for what they do not
// model. The watchers use the lab's real rendered talosconfig and kubeconfig; only the addresses
// are pointed at loopback (the lab's 10.10.30.x addresses are never dialled).

describe('join watchers against a stand-in apid and Kubernetes API', () => {
  const lab = exampleLab();
  const plan = planFromLab(lab);
  const creds = labCredentials(lab);
  let dir: string;
  let store: EventStore;
  let hub: CollectorHub;
  let apid: StandinApid;
  let kube: StandinKube;
  let watchers: JoinWatchers;
  const logs: string[] = [];
  const apidState: ApidState = {
    hostname: 'cp-1',
    version: 'v1.12.0',
    services: [
      { id: 'apid', state: 'Running', healthy: true },
      { id: 'etcd', state: 'Preparing', unknown: true, events: ['Running pre state'] },
      { id: 'kubelet', state: 'Running', healthy: true },
      { id: 'trustd', state: 'Running', healthy: true },
    ],
    bootstrapCalls: 0,
    disks: [
      { device: '/dev/sda', size: 32e9, model: 'USB Flash', serial: 'USB123', type: 'ssd' },
      { device: '/dev/nvme0n1', size: 512110190592, model: 'Samsung SSD 990 PRO 512GB', serial: 'S7DNNJ0X123456', type: 'nvme', system: true },
    ],
    onBootstrap: (s) => {
      s.services = s.services.map((x) => (x.id === 'etcd' ? { id: 'etcd', state: 'Running', healthy: true } : x));
      s.etcdMembers = ['cp-1'];
    },
  };
  const kubeState: KubeState = { nodes: [] };
  const kinds = (host?: string) => store.list({ limit: 1000 }).filter((e) => !host || e.host === host).map((e) => e.kind);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'join-'));
    store = new EventStore(join(dir, 'events.db'));
    hub = new CollectorHub({ store, plan, directory: new HostDirectory(plan) });
    apid = await startStandinApid(apidState, creds.osCa, creds.apidCert);
    kube = await startStandinKube(kubeState, creds.k8sCa, creds.kubeCert);
    const talos = parseTalosconfig(creds.talosconfig, 'rendered/talosconfig');
    const kc = parseKubeconfig(creds.kubeconfig, 'rendered/kubeconfig');
    const targets = planJoinTargets(lab, { kube: { ...kc, server: kube.origin }, talos, knownHostsFile: join(dir, 'known_hosts') });
    // cp-1 only: it is the node phase 1 brings up; its endpoint moves to the stand-in.
    targets.platform!.hosts = targets.platform!.hosts.filter((h) => h.name === 'cp-1').map((h) => ({ ...h, endpoint: `127.0.0.1:${apid.port}` }));
    watchers = startJoinWatchers(hub, targets, { intervalMs: 0, bootstrapHost: 'cp-1', log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await watchers?.close();
    await apid?.close();
    await kube?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the rendered talosconfig and kubeconfig, and plans one apid endpoint per platform host', () => {
    const all = planJoinTargets(lab, { talos: parseTalosconfig(creds.talosconfig, 't'), knownHostsFile: 'k' });
    expect(all.platform!.hosts.map((h) => [h.name, h.endpoint])).toEqual([
      ['cp-1', '10.10.30.10'],
      ['cp-2', '10.10.30.11'],
      ['cp-3', '10.10.30.12'],
    ]);
    expect(() => parseKubeconfig('apiVersion: v1\nclusters: []\n', 'rendered/kubeconfig')).toThrow(/rendered\/kubeconfig: contexts: missing/);
  });

  it('sees etcd waiting for Bootstrap over mutual TLS, bootstraps once, and records it', async () => {
    await watchers.pollOnce();
    expect(kinds('cp-1')).toEqual(expect.arrayContaining(['join.apid-reachable', 'join.talos-services', 'join.etcd-waiting-bootstrap', 'join.bootstrap']));
    expect(apidState.bootstrapCalls).toBe(1);
    // The stand-in saw the admin client certificate (organisation os:admin) on every call.
    expect(new Set(apid.calls.map((c) => c.org))).toEqual(new Set(['os:admin']));
    const reach = store.list({ limit: 1000 }).find((e) => e.kind === 'join.apid-reachable')!;
    expect(reach.attrs).toMatchObject({ version: 'v1.12.0', mode: 'metal' });
    // storage.StorageService/Disks: the disk Talos installed to, for the lab's installDisk selector.
    expect(store.list({ limit: 1000 }).find((e) => e.kind === 'join.install-disk')!.attrs).toEqual({ device: '/dev/nvme0n1', size: 512110190592, model: 'Samsung SSD 990 PRO 512GB', serial: 'S7DNNJ0X123456', type: 'nvme' });
    // Before Argo CD exists its CRD answers 404: logged as not yet, not stored as a fault.
    expect(logs.some((l) => l.includes('Argo CD') && l.includes('404'))).toBe(true);
  });

  it('after Bootstrap: etcd has its member, the node is NotReady until a CNI runs, no second Bootstrap', async () => {
    kubeState.nodes = [{ name: 'cp-1', ready: false, address: '10.10.30.10', roles: ['control-plane'] }];
    await watchers.pollOnce();
    expect(apidState.bootstrapCalls).toBe(1);
    const etcd = store.list({ limit: 1000 }).filter((e) => e.kind === 'join.etcd').at(-1)!;
    expect(etcd.attrs).toMatchObject({ members: ['cp-1'], waitingBootstrap: false, service: 'Running' });
    const nr = store.list({ limit: 1000 }).find((e) => e.kind === 'join.node-not-ready')!;
    expect(nr.host).toBe('cp-1');
    expect(String(nr.attrs.reason)).toMatch(/cni plugin not initialized/);
    expect(hub.status().hosts.find((h) => h.name === 'cp-1')!.stage).not.toBe('joined');
  });

  it('node Ready, Argo CD and its Applications healthy: phase checks are met from the watchers alone', async () => {
    kubeState.nodes = [{ name: 'cp-1', ready: true, address: '10.10.30.10', roles: ['control-plane'] }];
    kubeState.argocd = {
      workloads: [
        { name: 'argocd-server', replicas: 1, available: 1 },
        { name: 'argocd-repo-server', replicas: 1, available: 1 },
        { name: 'argocd-application-controller', replicas: 1, available: 1, kind: 'sts' },
      ],
      apps: [
        { name: 'crossplane', health: 'Healthy', sync: 'Synced' },
        { name: 'tinkerbell', health: 'Progressing', sync: 'OutOfSync', message: 'waiting for healthy state of apps/Deployment/tink-server' },
      ],
    };
    await watchers.pollOnce();
    const status = hub.status();
    expect(status.hosts.find((h) => h.name === 'cp-1')!.steps.map((s) => s.stage)).toContain('joined');
    expect(status.phases[0]!.checks.find((c) => c.id === 'argocd-healthy')!.met).toBe(true);
    const p2 = status.phases[1]!.checks;
    expect(p2.find((c) => c.id === 'argocd-app-crossplane')!.met).toBe(true);
    expect(p2.find((c) => c.id === 'argocd-app-tinkerbell')).toMatchObject({ met: false, seen: 'Progressing / OutOfSync' });
    kubeState.argocd.apps[1] = { name: 'tinkerbell', health: 'Healthy', sync: 'Synced' };
    await watchers.pollOnce();
    expect(hub.status().phases[1]!.checks.every((c) => c.met)).toBe(true);
  });

  it('stores transitions, not polls: an unchanged round adds no event', async () => {
    const before = store.count();
    await watchers.pollOnce();
    expect(store.count()).toBe(before);
  });

  it('a node that drops out of Ready is stored as such (the latest report decides)', async () => {
    kubeState.nodes[0]!.ready = false;
    await watchers.pollOnce();
    expect(kinds('cp-1').at(-1)).toBe('join.node-not-ready');
  });

  it('refuses an apid whose certificate is not from the lab\'s OS CA, and says so as an event', async () => {
    const other = labCredentials(lab);
    const impostor = await startStandinApid({ ...apidState, hostname: 'cp-1', bootstrapCalls: 0 }, other.osCa, other.apidCert);
    const talos = parseTalosconfig(creds.talosconfig, 'rendered/talosconfig');
    const dir2 = mkdtempSync(join(tmpdir(), 'join2-'));
    const store2 = new EventStore(join(dir2, 'events.db'));
    const hub2 = new CollectorHub({ store: store2, plan, directory: new HostDirectory(plan) });
    const w = startJoinWatchers(hub2, { platform: { talos, hosts: [{ name: 'cp-1', endpoint: `127.0.0.1:${impostor.port}`, controlPlane: true }], reportHost: 'cp-1', argocdNamespace: 'argocd' } }, { intervalMs: 0, bootstrapHost: 'cp-1' });
    try {
      await w.pollOnce();
      const e = store2.list({ limit: 10 });
      expect(e.map((x) => x.kind)).toEqual(['join.apid-unreachable']);
      expect(impostor.calls).toEqual([]);
    } finally {
      await w.close();
      await impostor.close();
      store2.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});

describe('builder bootstrap', () => {
  it('calls Bootstrap once through the same mutual-TLS client, printing no key material', async () => {
    const { cpSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { bootstrapCommand } = await import('../../builder/src/cli/bootstrap.js');
    const { memoryIo } = await import('../../builder/src/base/index.js');
    const { LAB_FILE } = await import('./lab-credentials.js');
    const lab = exampleLab();
    const creds = labCredentials(lab);
    const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
    cpSync(LAB_FILE, join(dir, 'lab.yaml'));
    mkdirSync(join(dir, 'state', 'rendered'), { recursive: true });
    writeFileSync(join(dir, 'state', 'rendered', 'talosconfig'), creds.talosconfig, { mode: 0o600 });
    const state: ApidState = { hostname: 'cp-1', version: 'v1.12.0', services: [], bootstrapCalls: 0 };
    const apid = await startStandinApid(state, creds.osCa, creds.apidCert);
    try {
      const io = memoryIo(dir);
      const code = await bootstrapCommand.run(['--lab', 'lab.yaml', '--endpoint', `127.0.0.1:${apid.port}`], io);
      expect(code).toBe(0);
      expect(state.bootstrapCalls).toBe(1);
      expect(io.stdout).toMatch(/accepted Bootstrap on cp-1/);
      expect(apid.calls.map(({ method, org }) => ({ method, org }))).toEqual([{ method: 'Bootstrap', org: 'os:admin' }]);
      expect(io.stdout).not.toMatch(/PRIVATE KEY|BEGIN/);
    } finally {
      await apid.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
