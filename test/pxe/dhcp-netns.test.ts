import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns, nsIp } from '../fixtures/netns/ip.js';
import { createLabNet, type LabNet } from '../fixtures/netns/lab-net.js';
import { dhclient, udhcpc } from '../fixtures/netns/dhcp-clients.js';
import { inNetns } from '../fixtures/netns/run.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';

const TOKEN = 'pxe-netns-token-0123456789';
const KNOWN = '52:54:00:31:00:01';
const STRANGER = '52:54:00:31:00:99';
const PROBE = join(import.meta.dirname, '../fixtures/netns/pxe-probe.mjs');
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
let net: LabNet;
let rx: Receiver;
let agent: ResultPromise | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setMac(mac: string): Promise<void> {
  await nsIp(net.cli, 'link', 'set', net.cliIf, 'down');
  await nsIp(net.cli, 'link', 'set', net.cliIf, 'address', mac);
  await nsIp(net.cli, 'link', 'set', net.cliIf, 'up');
}

describe('PXE DHCP in network namespaces, real clients', () => {
  beforeAll(async () => {
    const bundle = await agentBundle();
    net = await createLabNet('d');
    rx = await startReceiver({ host: net.uplinkHostIp, token: TOKEN });
    const { config } = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [{ name: 'ms02-1', mac: KNOWN }] });
    agent = execa('ip', ['netns', 'exec', net.srv, 'node', bundle, '--config', config], { reject: false, all: true });
    // Ready when port 67 is bound inside the namespace.
    for (let i = 0; i < 100; i++) {
      const ss = await inNetns(net.srv, 'ss', ['-uln']);
      if (String(ss.stdout).includes(':67 ')) break;
      await sleep(50);
    }
    await setMac(KNOWN);
  });
  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent;
    await rx?.stop();
    await net?.destroy();
  });

  const loaders = [
    { arch: 0, file: 'undionly.kpxe' },
    { arch: 7, file: 'ipxe.efi' },
    { arch: 9, file: 'ipxe.efi' },
  ];
  for (const { arch, file } of loaders) {
    it(`udhcpc, arch ${arch}: next-server and ${file}`, async () => {
      const lease = await udhcpc({ ns: net.cli, iface: net.cliIf, arch });
      expect(lease.ip).toMatch(new RegExp(`^172\\.31\\.${net.n}\\.1\\d\\d$`));
      expect(lease.nextServer).toBe(net.serverIp);
      expect(lease.file).toBe(file);
      expect(lease.bootfileOption).toBe(file);
    });
    it(`dhclient, arch ${arch}: next-server and ${file}`, async () => {
      const lease = await dhclient({ ns: net.cli, iface: net.cliIf, arch });
      expect(lease.nextServer).toBe(net.serverIp);
      expect(lease.file).toBe(file);
    });
  }

  it('user class iPXE gets the HTTP URL of its own script (udhcpc and dhclient)', async () => {
    const url = `http://${net.serverIp}:8080/ipxe/52-54-00-31-00-01.ipxe`;
    expect((await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 7, userClass: 'iPXE' })).file).toBe(url);
    expect((await dhclient({ ns: net.cli, iface: net.cliIf, arch: 0, userClass: 'iPXE' })).file).toBe(url);
  });

  it('reports discover, offer, request and ack for the MAC, in order, at the collector', async () => {
    await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 9 });
    await sleep(300);
    const mine = rx.events.filter((e) => e.mac === KNOWN).map((e) => e.kind);
    const last = mine.slice(-4);
    expect(last).toEqual(['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack']);
    const ack = rx.events.filter((e) => e.mac === KNOWN && e.kind === 'dhcp.ack').at(-1);
    expect(ack?.attrs).toMatchObject({ file: 'ipxe.efi', nextServer: net.serverIp, hostName: 'ms02-1' });
  });

  it('gives a MAC that matches no host an address but no boot file, and reports it as unknown', async () => {
    await setMac(STRANGER);
    try {
      const lease = await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 7 });
      expect(lease.ip).toBeDefined();
      expect(lease.file ?? '').toBe('');
      await sleep(300);
      expect(rx.events.some((e) => e.kind === 'pxe.unknown-mac' && e.mac === STRANGER)).toBe(true);
    } finally {
      await setMac(KNOWN);
    }
  });

  it('full mode: offers carry option 43 and go to 255.255.255.255; port 4011 answers a BINL-style request; HTTP boot gets HTTPClient and a URL', async () => {
    // The probe (raw client, broadcast flag set) binds port 68 on 0.0.0.0: it sees only what is
    // broadcast, so an offer sent to the subnet broadcast or unicast would not reach it.
    await nsIp(net.cli, 'addr', 'add', `172.31.${net.n}.77/24`, 'dev', net.cliIf);
    await nsIp(net.cli, 'route', 'add', 'default', 'via', net.serverIp);
    try {
      const r = await inNetns(net.cli, 'node', [PROBE, KNOWN, '7', `172.31.${net.n}.77`, net.serverIp], { timeout: 15_000 });
      expect(r.exitCode, String(r.all)).toBe(0);
      const got = JSON.parse(String(r.stdout));
      expect(got.offer).toMatchObject({ type: 2, siaddr: net.serverIp, vendorClass: 'PXEClient', bootfile: 'ipxe.efi', pxeOptions: [6, 1, 8, 255] });
      expect(got.offer.yiaddr).toMatch(new RegExp(`^172\\.31\\.${net.n}\\.1\\d\\d$`));
      expect(got.ack).toMatchObject({ type: 5, yiaddr: '0.0.0.0', siaddr: net.serverIp, file: 'ipxe.efi' });
      // UEFI HTTP boot (arch 16, class HTTPClient): the class echoed and the loader's URL as boot file.
      const h = await inNetns(net.cli, 'node', [PROBE, KNOWN, '16', `172.31.${net.n}.77`, net.serverIp, '8000', 'HTTPClient'], { timeout: 15_000 });
      expect(h.exitCode, String(h.all)).toBe(0);
      const http = JSON.parse(String(h.stdout));
      expect(http.offer).toMatchObject({ type: 2, vendorClass: 'HTTPClient', bootfile: `http://${net.serverIp}:8080/ipxe.efi` });
    } finally {
      await nsIp(net.cli, 'addr', 'flush', 'dev', net.cliIf);
    }
  });

  it('5,000 random MACs asking at once do not starve a lab host without a fixed address', async () => {
    // DISCOVER then REQUEST for each stranger, sent from inside the server namespace to its own
    // port 67 (as if off the wire: giaddr 0), at full speed; then the lab host asks with udhcpc.
    const code = `
      const s = require('node:dgram').createSocket('udp4');
      const crypto = require('node:crypto');
      const pkt = (type, mac, xid) => { const b = Buffer.alloc(300); b[0] = 1; b[1] = 1; b[2] = 6; b.writeUInt32BE(xid, 4); mac.copy(b, 28); b.writeUInt32BE(0x63825363, 236);
        b.set([53, 1, type, 60, 9, ...Buffer.from('PXEClient'), 93, 2, 0, 7, 255], 240); return b; };
      const list = []; for (let i = 0; i < 5000; i++) { const mac = crypto.randomBytes(6); mac[0] = (mac[0] & 0xfe) | 2; list.push(pkt(1, mac, i), pkt(3, mac, i)); }
      let i = 0; const next = () => i < list.length ? s.send(list[i++], 67, '127.0.0.1', next) : s.close(); next();`;
    const r = await inNetns(net.srv, 'node', ['-e', code], { timeout: 60_000 });
    expect(r.exitCode, String(r.all)).toBe(0);
    await sleep(500);
    expect(agent?.exitCode).toBeNull();
    const lease = await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 7 });
    expect(lease.ip).toMatch(new RegExp(`^172\\.31\\.${net.n}\\.1\\d\\d$`));
    expect(lease.file).toBe('ipxe.efi');
    await sleep(300);
    // The strangers were turned away once the range was down to the host's share, and said so.
    expect(rx.events.some((e) => e.kind === 'dhcp.no-address' && e.mac !== KNOWN)).toBe(true);
  });

  it('survives malformed DHCP packets and requests for options it does not know', async () => {
    // Sent from inside the server namespace to its own port 67: short junk, a BOOTREPLY, a
    // request without a message type, and a DISCOVER asking for unknown options with a
    // truncated option 93.
    const code = `
      const s = require('node:dgram').createSocket('udp4');
      const base = () => { const b = Buffer.alloc(300); b[0] = 1; b[1] = 1; b[2] = 6; b.writeUInt32BE(0x63825363, 236); Buffer.from('525400310077','hex').copy(b, 28); return b; };
      const reply = base(); reply[0] = 2; reply.set([53, 1, 1, 255], 240);
      const notype = base(); notype.set([255], 240);
      const odd = base(); odd.set([53, 1, 1, 55, 6, 1, 3, 175, 203, 240, 250, 93, 1, 7, 77, 4, 105, 80, 88, 69, 200, 3, 1, 2, 3, 255], 240);
      const overrun = base(); overrun.set([53, 1, 1, 55, 250], 240);
      const packets = [Buffer.from([1]), Buffer.alloc(100), reply, notype, odd, overrun, require('node:crypto').randomBytes(600)];
      let i = 0; const next = () => i < packets.length ? s.send(packets[i++], 67, '127.0.0.1', next) : s.close(); next();`;
    const r = await inNetns(net.srv, 'node', ['-e', code]);
    expect(r.exitCode, String(r.all)).toBe(0);
    await sleep(300);
    expect(agent?.exitCode).toBeNull();
    const lease = await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 0 });
    expect(lease.file).toBe('undionly.kpxe');
    expect(rx.rejected).toBe(0);
  });
});
