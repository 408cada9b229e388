import { readFileSync, writeFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns, netnsAdd, netnsDelete, nsIp, vethPair } from '../fixtures/netns/ip.js';
import { createLabNet, type LabNet } from '../fixtures/netns/lab-net.js';
import { udhcpc } from '../fixtures/netns/dhcp-clients.js';
import { startDhcrelay } from '../fixtures/netns/relay.js';
import { inNetns } from '../fixtures/netns/run.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';

/**
 * A VLAN-30 host reaching the PXE service through a real relay, as cp-2 does through the
 * gateway: namespace `srv` (the agent, 172.31.n.1) — namespace `rly` (Debian's dhcrelay, the
 * stand-in for VyOS's, which is the same ISC program; 172.31.n.2 upstream, 10.10.30.1 on the
 * VLAN 30 side) — namespace `v30` (udhcpc). The relay sets giaddr 10.10.30.1; the service must
 * answer from the VLAN 30 subnet. Not modelled: the 802.1Q tag itself (this kernel has no 8021q
 * module, so the VLAN 30 segment is an untagged veth; the relay sees the same thing either way,
 * a request on the interface that holds 10.10.30.1), VyOS's firewall in front of the relay, and
 * a relay agent information option (82).
 */
const TOKEN = 'pxe-relay-token-0123456789';
const CP2 = '52:54:00:30:00:12';
const STRANGER = '52:54:00:30:00:99';
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let net: LabNet;
let rx: Receiver;
const procs: ResultPromise[] = [];
const rly = `r-${process.pid}`;
const v30 = `v-${process.pid}`;
const hostIf = `vh${process.pid}`.slice(0, 15);

async function setMac(mac: string): Promise<void> {
  await nsIp(v30, 'link', 'set', hostIf, 'down');
  await nsIp(v30, 'link', 'set', hostIf, 'address', mac);
  await nsIp(v30, 'link', 'set', hostIf, 'up');
}

describe('relayed DHCP (isc-dhcp-relay between namespaces, VLAN 30)', () => {
  beforeAll(async () => {
    const bundle = await agentBundle();
    net = await createLabNet('r');
    rx = await startReceiver({ host: net.uplinkHostIp, token: TOKEN });
    // The relay takes the client namespace's place on the boot network…
    await netnsAdd(rly);
    await netnsAdd(v30);
    await nsIp(net.cli, 'link', 'set', net.cliIf, 'netns', rly);
    await nsIp(rly, 'addr', 'add', `172.31.${net.n}.2/24`, 'dev', net.cliIf);
    await nsIp(rly, 'link', 'set', net.cliIf, 'up');
    // …and carries the VLAN 30 segment to the host.
    const relayIf = `vr${process.pid}`.slice(0, 15);
    await vethPair({ ns: rly, name: relayIf, cidr: '10.10.30.1/24' }, { ns: v30, name: hostIf, cidr: null });
    await nsIp(net.srv, 'route', 'add', '10.10.30.0/24', 'via', `172.31.${net.n}.2`);
    await inNetns(rly, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);

    const made = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [{ name: 'cp-2', mac: CP2, ip: '10.10.30.11' }] });
    const cfg = parse(readFileSync(made.config, 'utf8'));
    cfg.pxe.subnets = [{ name: 'servers', network: '10.10.30.0', netmask: '255.255.255.0', range: ['10.10.30.100', '10.10.30.149'], router: '10.10.30.1', dns: ['10.10.30.1'] }];
    writeFileSync(made.config, stringify(cfg), { mode: 0o600 });
    procs.push(execa('ip', ['netns', 'exec', net.srv, 'node', bundle, '--config', made.config], { reject: false, all: true }));
    for (let i = 0; i < 100 && !String((await inNetns(net.srv, 'ss', ['-uln'])).stdout).includes(':67 '); i++) await sleep(50);
    procs.push(startDhcrelay({ ns: rly, downstream: relayIf, upstream: net.cliIf, server: net.serverIp, dir: made.dir }));
    for (let i = 0; i < 100 && !String((await inNetns(rly, 'ss', ['-uln'])).stdout).includes(':67 '); i++) await sleep(50);
    await setMac(CP2);
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.catch(() => undefined)));
    await rx?.stop();
    await netnsDelete(v30);
    await netnsDelete(rly);
    await net?.destroy();
  });

  it('offers cp-2 its lab address on VLAN 30 with the VLAN router, and the loader', async () => {
    const lease = await udhcpc({ ns: v30, iface: hostIf, arch: 7 });
    expect(lease.ip).toBe('10.10.30.11');
    expect(lease.raw.router).toBe('10.10.30.1');
    expect(lease.raw.subnet).toBe('255.255.255.0');
    expect(lease.nextServer).toBe(net.serverIp);
    expect(lease.file).toBe('ipxe.efi');
    await sleep(300);
    const offer = rx.events.find((e) => e.kind === 'dhcp.offer' && e.mac === CP2);
    expect(offer?.attrs).toMatchObject({ ip: '10.10.30.11', subnet: 'servers', router: '10.10.30.1', hostName: 'cp-2' });
    expect(rx.events.find((e) => e.kind === 'dhcp.discover' && e.mac === CP2)?.attrs.giaddr).toBe('10.10.30.1');
  });

  it('leases an unknown MAC on VLAN 30 from the VLAN 30 range, never from the boot network', async () => {
    await setMac(STRANGER);
    try {
      const lease = await udhcpc({ ns: v30, iface: hostIf, arch: 7 });
      expect(lease.ip).toBe('10.10.30.100');
      expect(lease.raw.router).toBe('10.10.30.1');
      expect(lease.file ?? '').toBe('');
    } finally {
      await setMac(CP2);
    }
  });
});
