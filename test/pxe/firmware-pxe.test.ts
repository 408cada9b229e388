import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, type LabEvent } from '@lab/shared';
import { harvesterConfig } from '../../builder/src/render/harvester.js';
import type { LabSecrets } from '../../builder/src/secrets/index.js';
import { canUseNetns } from '../fixtures/netns/ip.js';
import type { TapNet } from '../fixtures/netns/lab-net.js';
import { qemuPxe, type QemuPxeOptions } from '../fixtures/netns/qemu.js';
import type { Receiver } from '../agent/receiver.js';
import { scriptPath, startFirmwareBench, type FirmwareBench } from './firmware-bench.js';

/**
 * Real firmware through the agent's full-mode DHCP, TFTP and HTTP, on a tap in a namespace:
 *  - OVMF with the NIC's option ROM disabled (`romfile=` empty), so EDK2's own PXE
 *    (NetworkPkg/UefiPxeBcDxe on VirtioNetDxe) reads our offer — the case that failed with
 *    PXE-E16 while the offer lacked option 43 — and fetches Debian's ipxe.efi over TFTP; that
 *    iPXE then asks again as user class iPXE and fetches the host's script over HTTP.
 *  - SeaBIOS with QEMU's iPXE ROM (legacy PXE): the ROM is handed undionly.kpxe (chainload), and
 *    the chainloaded iPXE fetches the script.
 * Not modelled: a vendor firmware's own quirks beyond EDK2 (the MS-02's AMI firmware is built on
 * EDK2's network stack), Secure Boot, and anything after the script (the guest is stopped once
 * the script was served). Each guest runs until its script is fetched, then is killed.
 */
const TOKEN = 'pxe-firmware-token-0123456789';
// ms02-1 of the example lab (examples/genesis/lab.yaml): its rendered Harvester webhooks name this MAC.
const UEFI_MAC = '02:00:00:00:02:01';
const BIOS_MAC = '52:54:00:13:00:02';
const ok = await canUseNetns();
// These tests need network namespaces (ip netns, as root); without them the file fails rather than skipping silently.
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let bench: FirmwareBench;
let net: TapNet;
let rx: Receiver;
let dir: string;

beforeAll(async () => {
  bench = await startFirmwareBench({
    tag: 'f',
    token: TOKEN,
    hosts: [{ name: 'ms02-1', mac: UEFI_MAC }, { name: 'legacy-1', mac: BIOS_MAC }],
    loaders: ['ipxe.efi', 'undionly.kpxe'],
    says: 'lab script',
    ports: [':67', ':4011'],
  });
  ({ net, rx, dir } = bench);
});
afterAll(async () => {
  await bench?.stop();
});

/** Boots a guest until `reached` holds for its events (default: its script was fetched); returns its events. */
async function bootUntilScript(mac: string, o: Pick<QemuPxeOptions, 'firmware' | 'rom'>, reached?: (events: LabEvent[]) => boolean): Promise<LabEvent[]> {
  const consoleFile = join(dir, `console-${mac.replace(/:/g, '')}.log`);
  const vm = qemuPxe({ ns: net.srv, tap: net.tap, mac, consoleFile, ...o, memoryMb: 512 });
  bench.procs.push(vm);
  const mine = () => rx.events.filter((e) => e.mac === mac);
  const fetched = () => (reached ? reached(mine()) : mine().some((e) => e.kind === 'http.fetch' && e.attrs.file === scriptPath(mac) && e.attrs.status === 200));
  const deadline = Date.now() + 180_000;
  while (!fetched()) {
    if (Date.now() > deadline || vm.exitCode !== null) {
      vm.kill('SIGKILL');
      await vm;
      let tail = '';
      try {
        tail = readFileSync(consoleFile, 'utf8').slice(-3000);
      } catch {
        // no console output yet
      }
      throw new Error(`no script fetch for ${mac}; events: ${mine().map((e) => `${e.kind} ${JSON.stringify(e.attrs).slice(0, 200)}`).join('\n')}\nconsole tail:\n${tail}`);
    }
    await sleep(500);
  }
  vm.kill('SIGKILL');
  await vm;
  // Let the beacon and the last events arrive.
  await sleep(1500);
  return mine();
}

describe('real firmware PXE through the agent (QEMU, tap in a namespace)', () => {
  it("OVMF's own PXE (no option ROM): full-mode DHCP with option 43, TFTP ipxe.efi, then the HTTP script for its MAC", async () => {
    const events = await bootUntilScript(UEFI_MAC, { firmware: 'uefi', rom: 'none' });
    const kinds = events.map((e) => e.kind);
    // The first DISCOVER is EDK2's (PXEClient, arch 7, no iPXE user class): the firmware itself.
    const firstDiscover = events.find((e) => e.kind === 'dhcp.discover');
    expect(firstDiscover?.attrs, kinds.join(',')).toMatchObject({ arch: 7, userClass: null });
    expect(String(firstDiscover?.attrs.vendorClass)).toMatch(/^PXEClient:Arch:00007/);
    const firstOffer = events.find((e) => e.kind === 'dhcp.offer');
    expect(firstOffer?.attrs).toMatchObject({ boot: 'loader', file: 'ipxe.efi', nextServer: net.serverIp });
    // EDK2's MTFTP asks for RFC 7440 windowsize 4 (NetworkPkg.dec PcdPxeTftpWindowSize) and gets it.
    expect(events.find((e) => e.kind === 'tftp.start')?.attrs).toMatchObject({ file: 'ipxe.efi', windowsize: 4 });
    const loader = events.find((e) => e.kind === 'tftp.done');
    expect(loader?.attrs).toMatchObject({ file: 'ipxe.efi', bytes: readFileSync('/usr/lib/ipxe/ipxe.efi').length });
    // Then iPXE (user class iPXE) is given the script URL and fetches it.
    expect(events.some((e) => e.kind === 'dhcp.ack' && e.attrs.boot === 'script')).toBe(true);
    const first = (k: string) => kinds.indexOf(k);
    expect(first('dhcp.offer')).toBeLessThan(first('tftp.done'));
    expect(first('tftp.done')).toBeLessThan(kinds.lastIndexOf('http.fetch'));
    expect(events.find((e) => e.kind === 'http.fetch' && e.attrs.file === scriptPath(UEFI_MAC))?.attrs.status).toBe(200);
    // A firmware that took our offer for a BINL one would have asked port 4011 first.
    expect(events.some((e) => e.kind === 'dhcp.request' && e.attrs.port === 4011)).toBe(false);
  }, 240_000);

  it("after Harvester's SUCCEEDED webhook the next network boot gets iPXE exit (boot from disk) until re-armed", async () => {
    // The webhook exactly as render writes it into ms02-1's Harvester config; only its origin is
    // moved from the lab's PXE address to this test's agent. Sent as the installer sends it
    // (harvester-installer v1.5.0 pkg/console/webhooks.go: method, each header value, no body).
    const parsed = parseLab(readFileSync('examples/genesis/lab.yaml', 'utf8'), 'lab.yaml');
    if (!parsed.ok) throw new Error('example lab invalid');
    const secrets = { collectorToken: TOKEN, harvesterToken: 'h'.repeat(32), ssh: { publicKey: 'ssh-ed25519 AAAAC3Nza test' }, login: { passwordHash: '$6$x$y' } } as unknown as LabSecrets;
    const cfg = harvesterConfig(parsed.lab, 'ms02-1', secrets) as { install: { webhooks: Array<{ event: string; method: string; url: string; headers: Record<string, string[]> }> } };
    const hook = cfg.install.webhooks.find((w) => w.event === 'SUCCEEDED' && w.url.includes('/v1/pxe/installed/'));
    expect(hook, 'the SUCCEEDED webhook to the PXE service').toBeDefined();
    const agentBase = `http://${net.uplinkHostIp.replace(/\.1$/, '.2')}:8080`;
    const send = (method: string, url: string, headers: Record<string, string[]>) => fetch(url, { method, headers: Object.entries(headers).map(([k, v]) => [k, v.join(', ')] as [string, string]) });
    const url = new URL(hook!.url);
    const res = await send(hook!.method, `${agentBase}${url.pathname}${url.search}`, hook!.headers);
    expect(res.status).toBe(200);
    // Without the bearer token nobody can mark a host done.
    expect((await fetch(`${agentBase}${url.pathname}`, { method: 'POST' })).status).toBe(401);

    const before = rx.events.length;
    const events = await bootUntilScript(UEFI_MAC, { firmware: 'uefi', rom: 'none' }, (ev) => ev.some((e) => e.kind === 'ipxe.beacon' && e.attrs.step === 'boot-local' && rx.events.indexOf(e) >= before));
    const fresh = events.filter((e) => rx.events.indexOf(e) >= before);
    expect(fresh.some((e) => e.kind === 'pxe.boot-local' && e.attrs.installedBy === 'harvester')).toBe(true);
    expect(fresh.some((e) => e.kind === 'tftp.done' && e.attrs.file === 'ipxe.efi')).toBe(true);
    expect(rx.events.some((e) => e.kind === 'pxe.installed' && e.mac === UEFI_MAC)).toBe(true);

    // Re-armed (what `builder pxe rearm ms02-1` sends), the script is the installer again.
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${agentBase}/v1/pxe/installed/${UEFI_MAC.replace(/:/g, '-')}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect(await (await fetch(`${agentBase}${scriptPath(UEFI_MAC)}`)).text()).toContain('lab script for');
    expect(await (await fetch(`${agentBase}/v1/pxe/installed`, { headers: auth })).json()).toEqual([]);
  }, 240_000);

  it('SeaBIOS with the iPXE ROM (legacy PXE): undionly.kpxe over TFTP, then the HTTP script for its MAC', async () => {
    const events = await bootUntilScript(BIOS_MAC, { firmware: 'bios', rom: 'ipxe' });
    const firstDiscover = events.find((e) => e.kind === 'dhcp.discover');
    expect(firstDiscover?.attrs).toMatchObject({ arch: 0, userClass: 'iPXE' });
    expect(events.find((e) => e.kind === 'tftp.done')?.attrs).toMatchObject({ file: 'undionly.kpxe', bytes: readFileSync('/usr/lib/ipxe/undionly.kpxe').length });
    expect(events.find((e) => e.kind === 'http.fetch' && e.attrs.file === scriptPath(BIOS_MAC))?.attrs.status).toBe(200);
  }, 240_000);
});
