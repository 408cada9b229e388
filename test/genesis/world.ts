import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { planFromLab, type GenesisStatus } from '@lab/shared';
import { parseKubeconfig, parseTalosconfig } from '../../builder/src/collector/join/credentials.js';
import { planJoinTargets } from '../../builder/src/collector/join/targets.js';
import { startCollector, type RunningCollector } from '../../builder/src/collector/server.js';
import { generateSshKeyPair } from '../../builder/src/secrets/index.js';
import { startSshd, type TestSshd } from '../gateway/sshd.js';
import { exampleLab, labCredentials } from '../join/lab-credentials.js';
import { startStandinApid, type ApidState, type StandinApid } from '../join/standin-apid.js';
import { startStandinKube, type KubeState } from '../join/standin-kube.js';
import { TalosNode } from './clients.js';

export const TOKEN = 'genesis-replay-token';
export const PLATFORM = ['cp-1', 'cp-2', 'cp-3'] as const;
export type PlatformHost = (typeof PLATFORM)[number];

export type Disk = NonNullable<ApidState['disks']>[number];
export const NVME_512: Disk = { device: '/dev/nvme0n1', size: 512110190592, model: 'Samsung SSD 990 PRO 512GB', serial: 'S7DNNJ0X123456', type: 'nvme', system: true };
export const VIRTIO_120: Disk = { device: '/dev/vda', size: 128849018880, model: '', serial: '', type: 'hdd', system: true };

/**
 * Everything a Genesis replay talks to, on loopback: the real collector (HTTP, Talos sink, kernel
 * log, join watchers), a stand-in apid per platform node, a stand-in Kubernetes API for the
 * platform and one for Harvester (reached through a real sshd, as the watcher does it), and one
 * Talos sender per node on its own loopback address.
 */
export interface World {
  collector: RunningCollector;
  base: string;
  apid: Record<PlatformHost, { state: ApidState; server: StandinApid }>;
  platform: KubeState;
  harvester: KubeState;
  nodes: Record<PlatformHost, TalosNode>;
  /** Every status seen after each step (for "never failed"). */
  seen: GenesisStatus[];
  snapshot(): GenesisStatus;
  close(): Promise<void>;
}

export async function startWorld(options: { disks?: Partial<Record<PlatformHost, Disk>> } = {}): Promise<World> {
  const lab = exampleLab();
  const plan = planFromLab(lab);
  const creds = labCredentials(lab);
  const harvesterCreds = labCredentials(lab);
  const dir = mkdtempSync(join(tmpdir(), 'genesis-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const apid = {} as World['apid'];
  for (const host of PLATFORM) {
    const disk = options.disks?.[host] ?? (host === 'cp-1' ? NVME_512 : VIRTIO_120);
    const state: ApidState = {
      hostname: host,
      version: 'v1.12.0',
      services: [],
      bootstrapCalls: 0,
      disks: [{ device: '/dev/sda', size: 32e9, model: 'USB Flash Disk', serial: 'USB0001', type: 'ssd' }, disk],
    };
    const server = await startStandinApid(state, creds.osCa, creds.apidCert);
    closers.push(() => server.close());
    apid[host] = { state, server };
  }
  const platform: KubeState = { nodes: [] };
  const platformApi = await startStandinKube(platform, creds.k8sCa, creds.kubeCert);
  closers.push(() => platformApi.close());
  const harvester: KubeState = { nodes: [] };
  const harvesterApi = await startStandinKube(harvester, harvesterCreds.k8sCa, harvesterCreds.kubeCert);
  closers.push(() => harvesterApi.close());
  const rke2 = parse(harvesterCreds.kubeconfig) as { clusters: { cluster: { server: string } }[] };
  rke2.clusters[0]!.cluster.server = 'https://127.0.0.1:6443';
  writeFileSync(join(dir, 'rke2.yaml'), stringify(rke2), { mode: 0o600 });
  const key = generateSshKeyPair('lab');
  const sshd: TestSshd = await startSshd(join(dir, 'sshd'), key.publicKey, dir, `cat ${join(dir, 'rke2.yaml')}`);
  closers.push(() => sshd.stop());

  const targets = planJoinTargets(lab, {
    kube: { ...parseKubeconfig(creds.kubeconfig, 'rendered/kubeconfig'), server: platformApi.origin },
    talos: parseTalosconfig(creds.talosconfig, 'rendered/talosconfig'),
    sshKey: key.privateKey,
    knownHostsFile: join(dir, 'known_hosts'),
  });
  targets.platform!.hosts = targets.platform!.hosts.map((h) => ({ ...h, endpoint: `127.0.0.1:${apid[h.name as PlatformHost].server.port}` }));
  targets.harvester!.hosts = targets.harvester!.hosts.map((h) => ({ ...h, address: '127.0.0.1' }));
  targets.harvester!.ssh = { ...targets.harvester!.ssh, user: process.env.USER ?? 'root', port: sshd.port };
  targets.harvester!.apiOverride = () => harvesterApi.origin;

  const collector = await startCollector({ plan, dbFile: join(dir, 'events.db'), token: TOKEN, host: '127.0.0.1', port: 0, talosPort: 0, kmsgPort: 0, join: { targets, options: { intervalMs: 0, bootstrapHost: 'cp-1' } } });
  closers.push(() => collector.close());
  const nodes = {} as World['nodes'];
  PLATFORM.forEach((h, i) => {
    // The stand-in nodes send from 127.0.0.11–13 instead of their lab addresses (10.10.30.10–12).
    // The collector lets only a host's own address or its PXE lease speak for it on Talos's
    // unauthenticated streams: record each source as that host's, as the lab does for the real ones.
    collector.hub.directory.leased(`127.0.0.${11 + i}`, h);
    nodes[h] = new TalosNode(`127.0.0.${11 + i}`, collector.talos.port, collector.kmsg.port);
    closers.push(() => nodes[h].close());
  });
  const seen: GenesisStatus[] = [];
  return {
    collector,
    base: `http://127.0.0.1:${collector.httpPort}`,
    apid,
    platform,
    harvester,
    nodes,
    seen,
    snapshot() {
      const s = collector.hub.status();
      seen.push(s);
      return s;
    },
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
