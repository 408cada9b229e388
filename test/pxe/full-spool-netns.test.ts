import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns, nsIp } from '../fixtures/netns/ip.js';
import { createLabNet, type LabNet } from '../fixtures/netns/lab-net.js';
import { udhcpc } from '../fixtures/netns/dhcp-clients.js';
import { inNetns } from '../fixtures/netns/run.js';
import { smallFs, type SmallFs } from '../fixtures/small-fs.js';
import { until } from '../fixtures/wait.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';

/**
 * Boot service first: the agent's spool sits on a real tmpfs that is full before the agent starts.
 * Real clients (busybox udhcpc, curl's TFTP) must still get their answers; the events wait in
 * memory and reach the collector. tmpfs refuses like a full disk; it does not model a slow one.
 */
const TOKEN = 'full-spool-token-0123456789';
const MAC = '52:54:00:32:00:01';
if (!(await canUseNetns())) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
let net: LabNet;
let rx: Receiver;
let fs: SmallFs;
let agent: ResultPromise | undefined;
let log = '';
let loader: Buffer;

describe('PXE with a full spool disk', () => {
  beforeAll(async () => {
    const bundle = await agentBundle();
    net = await createLabNet('f');
    rx = await startReceiver({ host: net.uplinkHostIp, token: TOKEN });
    const { config, root } = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [{ name: 'ms02-1', mac: MAC }] });
    loader = randomBytes(200_000);
    writeFileSync(join(root, 'undionly.kpxe'), loader);
    fs = smallFs(128);
    const cfg = parse(readFileSync(config, 'utf8')) as { spool: { dir: string } };
    cfg.spool.dir = join(fs.dir, 'spool');
    writeFileSync(config, stringify(cfg), { mode: 0o600 });
    fs.fill(0);
    agent = execa('ip', ['netns', 'exec', net.srv, 'node', bundle, '--config', config], { reject: false, all: true });
    agent.all?.on('data', (c: Buffer) => (log += c.toString()));
    for (let i = 0; i < 100; i++) {
      if (String((await inNetns(net.srv, 'ss', ['-uln'])).stdout).includes(':67 ')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await nsIp(net.cli, 'link', 'set', net.cliIf, 'down');
    await nsIp(net.cli, 'link', 'set', net.cliIf, 'address', MAC);
    await nsIp(net.cli, 'link', 'set', net.cliIf, 'up');
  });
  afterAll(async () => {
    agent?.kill('SIGTERM');
    await agent;
    await rx?.stop();
    await net?.destroy();
    fs?.destroy();
  });

  it('answers DHCP and TFTP, says clearly why the spool cannot be written, and delivers the events from memory', async () => {
    expect(fs.available()).toBe(0);
    const started = Date.now();
    const lease = await udhcpc({ ns: net.cli, iface: net.cliIf, arch: 0 });
    expect(lease.ip).toMatch(new RegExp(`^172\\.31\\.${net.n}\\.1\\d\\d$`));
    expect(lease.file).toBe('undionly.kpxe');
    const leaseMs = Date.now() - started;

    await nsIp(net.cli, 'addr', 'add', `${lease.ip}/24`, 'dev', net.cliIf);
    const got = await execa('ip', ['netns', 'exec', net.cli, 'curl', '-sS', '--max-time', '20', `tftp://${net.serverIp}/undionly.kpxe`], { encoding: 'buffer', reject: false });
    expect(got.exitCode, String(got.stderr)).toBe(0);
    expect(Buffer.compare(got.stdout as Buffer, loader)).toBe(0);

    await until('the DHCP and TFTP events at the collector', () => rx.events.some((e) => e.kind === 'dhcp.ack' && e.mac === MAC) && rx.events.some((e) => e.kind === 'tftp.done'), 15_000);
    expect(log).toMatch(/agent: spool .* cannot be written \(ENOSPC: no space left on device\); boot service continues/);
    expect(log).not.toMatch(/internal error/);
    expect(agent?.exitCode).toBeNull();
    // One message for the whole outage, not one per event.
    expect(log.match(/cannot be written/g)).toHaveLength(1);
    expect(leaseMs).toBeLessThan(10_000);

    fs.free();
    await until('the spool to take writes again', () => /takes writes again/.test(log), 10_000);
  });
});
