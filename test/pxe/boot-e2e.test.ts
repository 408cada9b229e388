import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { agentBundle } from '../fixtures/netns/agent-bundle.js';
import { canUseNetns } from '../fixtures/netns/ip.js';
import { createTapNet, type TapNet } from '../fixtures/netns/lab-net.js';
import { qemuPxe } from '../fixtures/netns/qemu.js';
import { startPxeService } from '../fixtures/netns/pxe-service.js';
import { inNetns } from '../fixtures/netns/run.js';
import { startRealCollector, type RealCollector } from '../agent/collector.js';
import { buildBootRoot } from './boot-fixture.js';
import { writePxeAgentConfig } from './pxe-config.js';

const TOKEN = 'pxe-e2e-token-0123456789ab';
// ms02-1 of the example lab (examples/genesis/lab.yaml), which the real collector is started with.
const MAC = '02:00:00:00:02:01';
const HOST = 'ms02-1';
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procs: ResultPromise[] = [];
let net: TapNet | undefined;
let rx: RealCollector | undefined;
afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.catch(() => undefined)));
  await rx?.close();
  await net?.destroy();
});

describe('PXE boot end to end (QEMU, OVMF, iPXE ROM, tap in a namespace)', () => {
  it('boots through our DHCP, TFTP and HTTP into a kernel whose agent reports boot, in that order for the MAC', async () => {
    const bundle = await agentBundle();
    net = await createTapNet('e');
    rx = await startRealCollector(net.uplinkHostIp, TOKEN);
    const { config, dir, root } = writePxeAgentConfig({ serverIp: net.serverIp, n: net.n, collectorUrl: rx.url, token: TOKEN, hosts: [{ name: HOST, mac: MAC }], chainload: true });
    const guestYaml = stringify({ collector: { url: rx.url, token: TOKEN }, host: { name: HOST }, roles: ['host'], spool: { dir: '/var/lib/lab-agent/spool' } });
    await buildBootRoot({ root, agentBundle: bundle, agentYaml: guestYaml, mac: MAC, serverIp: net.serverIp, httpPort: 8080 });
    await inNetns(net.srv, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    procs.push(...(await startPxeService(net, { bundle, config, dir, ports: [':67'] })));

    const consoleFile = join(dir, 'console.log');
    process.stderr.write(`boot-e2e: guest console in ${consoleFile}\n`);
    const vm = qemuPxe({ ns: net.srv, tap: net.tap, mac: MAC, consoleFile, firmware: 'uefi', rom: 'ipxe' });
    procs.push(vm);

    // As the collector stored them for the host (PXE events name the MAC; it maps them to ms02-1).
    const mine = () => (rx as RealCollector).eventsOf(HOST);
    const deadline = Date.now() + 240_000;
    while (!mine().some((e) => e.kind === 'boot')) {
      if (Date.now() > deadline || vm.exitCode !== null) {
        vm.kill('SIGKILL');
        await vm;
        throw new Error(`no boot event; kinds seen: ${mine().map((e) => e.kind).join(', ')}\nconsole tail:\n${readFileSync(consoleFile, 'utf8').slice(-3000)}`);
      }
      await sleep(500);
    }
    vm.kill('SIGKILL');
    const kinds = mine().map((e) => e.kind);
    if (process.env.PXE_E2E_VERBOSE) process.stderr.write(`boot-e2e: ${mine().map((e) => `${e.kind} ${JSON.stringify(e.attrs).slice(0, 160)}`).join('\n')}\n`);
    const first = (k: string) => kinds.findIndex((x) => x.startsWith(k));
    expect(first('dhcp.'), kinds.join(',')).toBeGreaterThanOrEqual(0);
    expect(first('dhcp.')).toBeLessThan(first('tftp.start'));
    expect(first('tftp.start')).toBeLessThan(first('tftp.done'));
    expect(first('tftp.done')).toBeLessThan(first('http.fetch'));
    expect(first('http.fetch')).toBeLessThan(first('boot'));
    const events = mine();
    expect(events.find((e) => e.kind === 'tftp.done')?.attrs).toMatchObject({ file: 'ipxe.efi' });
    const fetched = events.filter((e) => e.kind === 'http.fetch').map((e) => e.attrs.file);
    expect(fetched).toEqual(expect.arrayContaining(['/ipxe/02-00-00-00-02-01.ipxe', '/vmlinuz', '/initrd.img']));
    expect(events.some((e) => e.kind === 'ipxe.beacon')).toBe(true);
    const boot = events.find((e) => e.kind === 'boot');
    expect(boot?.host).toBe(HOST);
    expect(boot?.mac).toBe(MAC);
    expect(mine().every((e) => e.mac === MAC || e.mac === undefined)).toBe(true);
    expect(boot?.attrs).toMatchObject({ bootMode: 'uefi' });
    expect(String(boot?.attrs.cmdline)).toContain('initrd=initrd.img');
  }, 300_000);
});
