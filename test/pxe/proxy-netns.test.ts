import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns, nsIp } from '../fixtures/netns/ip.js';
import { createLabNet, type LabNet } from '../fixtures/netns/lab-net.js';
import { inNetns } from '../fixtures/netns/run.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';

const TOKEN = 'pxe-proxy-token-0123456789';
const MAC = '52:54:00:31:00:07';
const PROBE = join(import.meta.dirname, '../fixtures/netns/pxe-probe.mjs');
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
let net: LabNet;
let rx: Receiver;
let agent: ResultPromise | undefined;

describe('ProxyDHCP beside another DHCP server (network namespaces)', () => {
  beforeAll(async () => {
    const bundle = await agentBundle();
    net = await createLabNet('p');
    rx = await startReceiver({ host: net.uplinkHostIp, token: TOKEN });
    const { config } = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [{ name: 'ms02-1', mac: MAC }] });
    const cfg = parse(readFileSync(config, 'utf8'));
    cfg.pxe.mode = 'proxy';
    delete cfg.pxe.range;
    writeFileSync(config, stringify(cfg), { mode: 0o600 });
    agent = execa('ip', ['netns', 'exec', net.srv, 'node', bundle, '--config', config], { reject: false, all: true });
    for (let i = 0; i < 100; i++) {
      const ss = String((await inNetns(net.srv, 'ss', ['-uln'])).stdout);
      if (ss.includes(':67 ') && ss.includes(':4011 ')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The client already holds an address from "the other" DHCP server.
    await nsIp(net.cli, 'addr', 'add', `172.31.${net.n}.77/24`, 'dev', net.cliIf);
    // …and its default route, which also carries the probe's 255.255.255.255 broadcast.
    await nsIp(net.cli, 'route', 'add', 'default', 'via', net.serverIp);
  });
  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent;
    await rx?.stop();
    await net?.destroy();
  });

  it('offers no address, only next-server, PXEClient and the loader, and answers the 4011 request', async () => {
    const r = await inNetns(net.cli, 'node', [PROBE, MAC, '7', `172.31.${net.n}.77`, net.serverIp], { timeout: 15_000 });
    expect(r.exitCode, String(r.all)).toBe(0);
    const got = JSON.parse(String(r.stdout));
    expect(got.offer).toMatchObject({ type: 2, yiaddr: '0.0.0.0', siaddr: net.serverIp, file: 'ipxe.efi', vendorClass: 'PXEClient', bootfile: 'ipxe.efi', pxeOptions: [6, 1, 8, 255] });
    expect(got.ack).toMatchObject({ type: 5, yiaddr: '0.0.0.0', siaddr: net.serverIp, file: 'ipxe.efi' });
  });

  it('stays silent for a MAC it does not know, and reports it', async () => {
    const r = await inNetns(net.cli, 'node', [PROBE, '52:54:00:31:00:99', '0', `172.31.${net.n}.77`, net.serverIp, '2500'], { timeout: 15_000 });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(String(r.stdout))).toEqual({});
    await new Promise((res) => setTimeout(res, 300));
    expect(rx.events.some((e) => e.kind === 'pxe.unknown-mac' && e.mac === '52:54:00:31:00:99')).toBe(true);
  });
});
