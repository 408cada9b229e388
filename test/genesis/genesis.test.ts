import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phase1, phase2, phase3, phase4 } from './replay.js';
import { startWorld, type World } from './world.js';

// A whole Genesis replayed through real clients into the real collector: Talos sink streams over
// grpc-js Publish (one loopback source address per node), kernel log over TCP, the agent's and the
// PXE service's events and Harvester's webhooks over HTTP, and the join watchers polling stand-in
// apids (grpc-js, mutual TLS) and stand-in Kubernetes APIs (HTTPS; Harvester's reached through a
// real sshd). The traces follow Talos v1.12.0's sequencer and harvester-installer v1.5.0 (see
// talos-trace.ts and replay.ts for the files they follow and what they leave out).

describe('a whole Genesis, replayed', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
    for (const host of ['cp-1', 'cp-2', 'cp-3'] as const) w.apid[host].state.down = true;
    await phase1(w);
    await phase2(w);
    await phase3(w);
    await phase4(w);
  });
  afterAll(async () => w?.close());

  it('ends with every phase done and every host done, no problem left', () => {
    const s = w.snapshot();
    expect(s.phases.map((p) => [p.id, p.state])).toEqual([
      ['direct-boot', 'done'],
      ['single-node-platform', 'done'],
      ['harvester-online', 'done'],
      ['full-platform', 'done'],
    ]);
    expect(s.hosts.filter((h) => !h.done).map((h) => `${h.name}: ${h.stage}`)).toEqual([]);
    expect(s.problems).toEqual([]);
  });

  it('never shows cp-1 (or any host) as failed: the FATAL NOOP after the install is its reboot', () => {
    expect(w.seen.length).toBeGreaterThan(100);
    const failed = new Set(w.seen.flatMap((s) => s.hosts.filter((h) => h.stage === 'failed').map((h) => h.name)));
    expect([...failed]).toEqual([]);
    const cp1 = w.seen.map((s) => s.hosts.find((h) => h.name === 'cp-1')!.stage);
    // The stages cp-1 passed through, in order, without repeats. Its services were healthy before
    // its node turned Ready, so the Ready report proves joined and healthy at once.
    expect(cp1.filter((st, i) => st !== cp1[i - 1])).toEqual(['expected', 'booted', 'installing', 'rebooting', 'installed', 'healthy']);
    expect(w.snapshot().hosts.find((h) => h.name === 'cp-1')!.steps.map((x) => x.stage)).toEqual(['booted', 'installing', 'rebooting', 'installed', 'joined', 'healthy']);
  });

  it('says why cp-1 was not ready while it ran from disk: Talos\'s unmet conditions, then etcd waiting for Bootstrap', () => {
    const running = w.seen.map((s) => s.hosts.find((h) => h.name === 'cp-1')!).find((h) => h.stage === 'installed' && h.unmet);
    expect(running?.unmet?.map((u) => u.name)).toEqual(['staticPods', 'nodeReady']);
    // The poll that saw etcd waiting made the Bootstrap call (collect --bootstrap): both are stored, in that order.
    const kinds = w.collector.hub.store.list({ host: 'cp-1', limit: 1000 }).map((e) => e.kind).filter((k) => k.startsWith('join.etcd') || k === 'join.bootstrap');
    expect(kinds.slice(0, 3)).toEqual(['join.etcd-waiting-bootstrap', 'join.bootstrap', 'join.etcd']);
    expect(w.apid['cp-1'].state.bootstrapCalls).toBe(1);
    expect(w.apid['cp-2'].state.bootstrapCalls + w.apid['cp-3'].state.bootstrapCalls).toBe(0);
  });

  it('moved each Harvester host written-to-disk → rebooting → healthy from its own API', () => {
    const ms = w.seen.map((s) => s.hosts.find((h) => h.name === 'ms02-2')!.stage);
    expect(ms.filter((st, i) => st !== ms[i - 1])).toEqual(['expected', 'pxe-dhcp', 'pxe-tftp', 'pxe-http', 'installing', 'rebooting', 'healthy']);
  });

  it('knows each node by what it observed, matching the lab: node names, addresses, roles, install disk', () => {
    const cp1 = w.snapshot().hosts.find((h) => h.name === 'cp-1')!;
    expect(cp1.observed).toMatchObject({ node: { name: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] }, disk: { device: '/dev/nvme0n1', type: 'nvme' } });
    expect(cp1.mismatches).toEqual([]);
    // Two Talos nodes never got each other's events: each is known by its own source address.
    const peers = w.collector.hub.store.peers();
    expect([peers.get('127.0.0.11'), peers.get('127.0.0.12'), peers.get('127.0.0.13')]).toEqual(['cp-1', 'cp-2', 'cp-3']);
  });
});

describe('a Genesis whose cp-1 installed to the wrong disk', () => {
  let w: World;
  beforeAll(async () => {
    // The selector is `size >= 256GB, type nvme`; this Talos chose the 32 GB USB disk.
    w = await startWorld({ disks: { 'cp-1': { device: '/dev/sda', size: 32e9, model: 'USB Flash Disk', serial: 'USB0001', type: 'ssd', system: true } } });
    for (const host of ['cp-1', 'cp-2', 'cp-3'] as const) w.apid[host].state.down = true;
    await phase1(w);
  });
  afterAll(async () => w?.close());

  it('reports the mismatch as a problem and does not call phase 1 done', () => {
    const s = w.snapshot();
    const cp1 = s.hosts.find((h) => h.name === 'cp-1')!;
    expect(cp1.done).toBe(false);
    expect(s.phases[0]!.state).not.toBe('done');
    expect(s.problems[0]).toMatchObject({ kind: 'mismatch', host: 'cp-1', remedy: 'declared-mismatch' });
    expect(s.problems[0]!.reason).toBe('cp-1: Talos installed to /dev/sda (32 GB, ssd, USB Flash Disk, USB0001), but the lab selects size >= 256GB, type nvme');
  });
});
