import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns, ip, nsIp } from '../fixtures/netns/ip.js';
import { createLabNet, type LabNet } from '../fixtures/netns/lab-net.js';
import { inNetns } from '../fixtures/netns/run.js';
import { startReceiver, type Receiver } from '../agent/receiver.js';
import { writePxeAgentConfig } from './pxe-config.js';
import { tftpGet } from './tftp-load.js';

/**
 * Hostile TFTP load on the agent (its real bundle, in a namespace): 300 transfers of Debian's
 * ipxe.efi started at once from 20 client addresses, half with windowsize 8. The caps (64 in all,
 * 4 per client) drop the excess requests, which the clients resend, so every transfer completes;
 * the agent's peak RSS (VmHWM) grows by less than the stated bound: 64 transfers × at most 1 MiB
 * of file data each (tftp.ts, Slots) plus 32 MiB for sockets, packets and events.
 */
const TOKEN = 'pxe-tftp-load-token-0123456789';
const BOUND_MB = 64 + 32;
const CLIENTS = 20;
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
let net: LabNet;
let rx: Receiver;
let agent: ResultPromise;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kb = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

beforeAll(async () => {
  const bundle = await agentBundle();
  net = await createLabNet('l');
  rx = await startReceiver({ host: net.uplinkHostIp, token: TOKEN });
  const made = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [] });
  copyFileSync('/usr/lib/ipxe/ipxe.efi', join(made.root, 'ipxe.efi'));
  // Client addresses on the uplink, routed back from the server's namespace.
  const upHost = `uh${process.pid}`.slice(0, 15);
  for (let i = 1; i <= CLIENTS; i++) await ip('addr', 'add', `10.251.${net.n}.${i}/32`, 'dev', upHost);
  await nsIp(net.srv, 'route', 'add', `10.251.${net.n}.0/24`, 'via', net.uplinkHostIp);
  agent = execa('ip', ['netns', 'exec', net.srv, 'node', bundle, '--config', made.config], { reject: false, all: true });
  for (let i = 0; i < 100 && !String((await inNetns(net.srv, 'ss', ['-uln'])).stdout).includes(':69 '); i++) await sleep(50);
});
afterAll(async () => {
  agent?.kill('SIGTERM');
  await agent;
  await rx?.stop();
  await net?.destroy();
});

describe('TFTP under load (300 parallel transfers)', () => {
  it(`serves all 300 and the agent's peak memory grows by less than ${BOUND_MB} MiB`, async () => {
    const pid = agent.pid as number;
    await sleep(500);
    const before = kb(pid, 'VmRSS');
    const want = createHash('sha256').update(readFileSync('/usr/lib/ipxe/ipxe.efi')).digest('hex');
    const server = `10.250.${net.n}.2`;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        tftpGetVia(server, { name: 'ipxe.efi', bind: `10.251.${net.n}.${(i % CLIENTS) + 1}`, blksize: 1468, ...(i % 2 ? { windowsize: 8 } : {}) }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const peak = kb(pid, 'VmHWM');
    process.stderr.write(`tftp-load: 300 transfers in ${seconds.toFixed(1)} s; agent RSS ${Math.round(before / 1024)} MiB before, peak ${Math.round(peak / 1024)} MiB\n`);
    for (const r of results) expect(createHash('sha256').update(r).digest('hex')).toBe(want);
    expect((peak - before) / 1024).toBeLessThan(BOUND_MB);
    await sleep(3500);
    // The caps were reached (requests dropped and retried), and every transfer finished.
    expect(rx.events.some((e) => e.kind === 'tftp.busy')).toBe(true);
    expect(rx.events.filter((e) => e.kind === 'tftp.done').length).toBe(300);
    expect(agent.exitCode).toBeNull();
  }, 180_000);
});

async function tftpGetVia(server: string, o: { name: string; bind: string; blksize: number; windowsize?: number }): Promise<Buffer> {
  return (await tftpGet({ port: 69, host: server, ...o })).data;
}
