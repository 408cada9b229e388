import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { planFromLab } from '@lab/shared';
import { HostDirectory } from '../../builder/src/collector/directory.js';
import { CollectorHub } from '../../builder/src/collector/hub.js';
import { EventStore } from '../../builder/src/collector/store.js';
import { startJoinWatchers } from '../../builder/src/collector/join/watchers.js';
import { generateSshKeyPair } from '../../builder/src/secrets/index.js';
import { startSshd, type TestSshd } from '../gateway/sshd.js';
import { exampleLab, labCredentials } from './lab-credentials.js';
import { startStandinKube, type KubeState, type StandinKube } from './standin-kube.js';

// Harvester's join, watched from the laptop: a real OpenSSH sshd on loopback stands in for a
// Harvester node's SSH (the lab key authorised, as Harvester's ssh_authorized_keys does); its
// ForceCommand prints a kubeconfig shaped like RKE2's /etc/rancher/rke2/rke2.yaml (server
// https://127.0.0.1:6443, embedded certificate data) in place of `sudo cat` — sudo and RKE2 are
// not modelled. The Harvester API is the HTTPS stand-in Kubernetes API.

describe('Harvester join watcher (real sshd, stand-in Kubernetes API)', () => {
  const lab = exampleLab();
  const plan = planFromLab(lab);
  const creds = labCredentials(lab);
  let dir: string;
  let sshd: TestSshd;
  let kube: StandinKube;
  let store: EventStore;
  let hub: CollectorHub;
  const key = generateSshKeyPair('lab');
  const state: KubeState = { nodes: [] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'harv-join-'));
    const rke2 = parse(creds.kubeconfig) as { clusters: { cluster: { server: string } }[] };
    rke2.clusters[0]!.cluster.server = 'https://127.0.0.1:6443';
    writeFileSync(join(dir, 'rke2.yaml'), stringify(rke2), { mode: 0o600 });
    sshd = await startSshd(join(dir, 'sshd'), key.publicKey, dir, `cat ${join(dir, 'rke2.yaml')}`);
    kube = await startStandinKube(state, creds.k8sCa, creds.kubeCert);
    store = new EventStore(join(dir, 'events.db'));
    hub = new CollectorHub({ store, plan, directory: new HostDirectory(plan) });
  });

  afterAll(async () => {
    await sshd?.stop();
    await kube?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the kubeconfig over SSH with the lab key, pins the host key, and reports each Ready node', async () => {
    const knownHostsFile = join(dir, 'known_hosts');
    const w = startJoinWatchers(
      hub,
      {
        harvester: {
          hosts: [{ name: 'ms02-1', address: '127.0.0.1' }],
          ssh: { user: process.env.USER ?? 'root', port: sshd.port, privateKey: key.privateKey, knownHostsFile },
          // The kubeconfig's server, rewritten to the node's address, would be 127.0.0.1:6443.
          apiOverride: () => kube.origin,
        },
      },
      { intervalMs: 0 },
    );
    try {
      state.nodes = [
        { name: 'ms02-1', ready: true, address: '10.10.10.11', roles: ['control-plane', 'etcd', 'master'] },
        { name: 'ms02-2', ready: false, address: '10.10.10.12' },
        { name: 'stranger', ready: true },
      ];
      await w.pollOnce();
      const events = store.list({ limit: 100 });
      expect(events.map((e) => [e.host, e.kind])).toEqual([
        ['ms02-1', 'join.harvester-ready'],
        ['ms02-2', 'join.harvester-not-ready'],
      ]);
      expect(readFileSync(knownHostsFile, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`);
      state.nodes[1]!.ready = true;
      await w.pollOnce();
      const healthy = new Map(hub.status().hosts.map((h) => [h.name, h.steps.some((x) => x.stage === 'healthy')]));
      expect([healthy.get('ms02-1'), healthy.get('ms02-2'), healthy.get('ms02-3')]).toEqual([true, true, false]);
    } finally {
      await w.close();
    }
  });
});
