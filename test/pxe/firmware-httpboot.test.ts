import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '@lab/shared';
import { canUseNetns } from '../fixtures/netns/ip.js';
import type { TapNet } from '../fixtures/netns/lab-net.js';
import { qemuPxe } from '../fixtures/netns/qemu.js';
import type { Receiver } from '../agent/receiver.js';
import { scriptPath, startFirmwareBench, type FirmwareBench } from './firmware-bench.js';

/**
 * Real UEFI HTTP boot through the agent's full-mode DHCP and HTTP, on a tap in a namespace:
 * OVMF (Debian's 2022.11 build) with the NIC's option ROM disabled (`romfile=` empty), so EDK2's
 * own HttpBootDxe runs on VirtioNetDxe. OVMF makes its network boot options in the order PXEv4,
 * PXEv6, HTTPv4, HTTPv6; the fw_cfg switches `opt/org.tianocore/IPv4PXESupport=no` and
 * `IPv6PXESupport=no` (OvmfPkg/Library/PxeBcPcdProducerLib/PxeBcPcd.c, since edk2-stable202005;
 * documented in OvmfPkg/RUNTIME_CONFIG.md: "does not affect HTTP boot") stop UefiPxeBcDxe from
 * binding, so the first network option the firmware tries is HTTPv4 — the option a machine
 * whose setup has "HTTP boot" first would try. HttpBootDxe then sends a DISCOVER with class
 * `HTTPClient:Arch:00016:UNDI:003000` (seen here) and option 93 = 16, takes only an offer that echoes
 * `HTTPClient` with a URI boot file (NetworkPkg/HttpBootDxe/HttpBootDhcp4.c), and fetches that
 * URI itself: Debian's ipxe.efi from the agent's HTTP service. iPXE then runs (its banner and
 * the lab script's echo are on the serial console), asks DHCP again as user class iPXE and
 * fetches the host's script.
 * Not modelled: HTTPS boot (TLS and its CA enrolment), boot by host name (DNS in the URI), IPv6
 * HTTP boot, a vendor firmware's own menu or quirks beyond EDK2, Secure Boot, and anything after
 * the script (the guest is stopped once the script was served).
 */
const TOKEN = 'pxe-httpboot-token-0123456789';
const MAC = '02:00:00:00:16:01';
const ok = await canUseNetns();
if (!ok) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let bench: FirmwareBench;
let net: TapNet;
let rx: Receiver;
let dir: string;
const script = scriptPath(MAC);

beforeAll(async () => {
  bench = await startFirmwareBench({
    tag: 'h',
    token: TOKEN,
    hosts: [{ name: 'ms02-2', mac: MAC }],
    loaders: ['ipxe.efi'],
    says: 'LAB-SCRIPT-RAN',
    ports: [':67', ':8080'],
  });
  ({ net, rx, dir } = bench);
});
afterAll(async () => {
  await bench?.stop();
});

describe('real UEFI HTTP boot through the agent (OVMF, no option ROM, tap in a namespace)', () => {
  it("EDK2's HttpBootDxe: DISCOVER as HTTPClient arch 16, the offer's URL fetched over our HTTP, ipxe.efi runs and fetches the host's script", async () => {
    const consoleFile = join(dir, 'console.log');
    const vm = qemuPxe({
      ns: net.srv,
      tap: net.tap,
      mac: MAC,
      consoleFile,
      firmware: 'uefi',
      rom: 'none',
      memoryMb: 512,
      fwCfg: { 'opt/org.tianocore/IPv4PXESupport': 'no', 'opt/org.tianocore/IPv6PXESupport': 'no' },
    });
    bench.procs.push(vm);
    const mine = (): LabEvent[] => rx.events.filter((e) => e.mac === MAC);
    const consoleText = () => {
      try {
        return readFileSync(consoleFile, 'utf8');
      } catch {
        return '';
      }
    };
    const done = () => mine().some((e) => e.kind === 'http.fetch' && e.attrs.file === script && e.attrs.status === 200) && consoleText().includes('LAB-SCRIPT-RAN');
    const deadline = Date.now() + 180_000;
    while (!done()) {
      if (Date.now() > deadline || vm.exitCode !== null) {
        vm.kill('SIGKILL');
        await vm;
        throw new Error(`HTTP boot did not reach the script; events:\n${mine().map((e) => `${e.kind} ${JSON.stringify(e.attrs).slice(0, 240)}`).join('\n')}\nconsole tail:\n${consoleText().slice(-3000)}`);
      }
      await sleep(500);
    }
    vm.kill('SIGKILL');
    await vm;
    await sleep(1000);
    const events = mine();
    const kinds = events.map((e) => e.kind);

    // The firmware's own DISCOVER: HTTPClient, arch 16, no iPXE user class; no PXEClient before it.
    const firstDiscover = events.find((e) => e.kind === 'dhcp.discover');
    expect(firstDiscover?.attrs, kinds.join(',')).toMatchObject({ arch: 16, userClass: null });
    expect(String(firstDiscover?.attrs.vendorClass)).toMatch(/^HTTPClient:Arch:00016/);
    const url = `http://${net.serverIp}:8080/ipxe.efi`;
    expect(events.find((e) => e.kind === 'dhcp.offer')?.attrs).toMatchObject({ boot: 'http', file: url, firmware: 'uefi' });
    expect(events.find((e) => e.kind === 'dhcp.ack')?.attrs).toMatchObject({ boot: 'http', file: url });
    // The server's log: the firmware fetched the URL whole over HTTP, and no TFTP was involved.
    const loader = events.find((e) => e.kind === 'http.fetch' && e.attrs.file === '/ipxe.efi' && e.attrs.status === 200 && e.attrs.bytes === e.attrs.size);
    expect(loader?.attrs.bytes).toBe(readFileSync('/usr/lib/ipxe/ipxe.efi').length);
    expect(kinds.some((k) => k.startsWith('tftp.'))).toBe(false);
    // Then the loaded program ran: iPXE asks as user class iPXE, gets the script URL, and says so on the serial console.
    const ipxeAck = events.find((e) => e.kind === 'dhcp.ack' && e.attrs.boot === 'script');
    expect(ipxeAck, kinds.join(',')).toBeDefined();
    expect(kinds.indexOf('http.fetch')).toBeLessThan(events.indexOf(ipxeAck!));
    const text = consoleText();
    // The boot option the firmware started was its HTTP one (BdsDxe names it), then iPXE's banner.
    expect(text).toMatch(/BdsDxe: starting Boot\w+ "UEFI HTTPv4 \(MAC:020000001601\)"/);
    expect(text).not.toMatch(/UEFI PXEv4/);
    expect(text).toMatch(/iPXE initialising devices/);
    expect(text).toContain(`LAB-SCRIPT-RAN for ${MAC}`);
    expect(rx.events.some((e) => e.kind === 'ipxe.beacon' && e.mac === MAC && e.attrs.step === 'script')).toBe(true);
  }, 240_000);
});
