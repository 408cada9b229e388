import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { canUseNetns } from '../fixtures/netns/ip.js';
import { labWithCni } from './lab-with-cni.js';

// The demo rehearsal through PXE, as an operator runs it: the built CLI as root on the example
// lab. The MS-02s are QEMU VMs booted by OVMF's own PXE (no option ROM) from the real agent's PXE
// service (agent/dist/agent.cjs, full-mode DHCP, TFTP, HTTP) in a namespace at pxe.address, into
// the demo Harvester installer (builder/src/rehearse/payload/harvester-installer.ts), which
// fetches its rendered config and calls its webhooks as harvester-installer v1.5.0 does.
// In phase 4 cp-2 and cp-3 boot the same way on LAB_PLATFORM, their DHCP relayed by the demo
// gateway's ISC dhcrelay (VyOS's relay) to the PXE service, into the demo Talos node, which
// fetches its machine config from talos.config= and reports to the sink from talos.events.sink=.
// Running from "disk", cp-2 and cp-3 relay apid to the demo apid, their etcd joins once cp-1's
// runs (no Bootstrap: additional control planes), their kubelets register their Nodes, and the
// real join watchers take them to `joined` and `healthy`.
// Not modelled (docs/rehearse.md): Harvester's preflight checks, the disk write, the reboot and
// the Harvester cluster (so the MS-02s stop at `rebooting`, the stage SUCCEEDED proves); Talos's
// install, kexec, etcd itself and containers.
if (!(await canUseNetns())) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');

const CLI = join(process.cwd(), 'builder/bin/builder.js');
const MS02 = ['ms02-1', 'ms02-2', 'ms02-3'];
const SHOTS = fileURLToPath(new URL('../fixtures/out/', import.meta.url));
// Debian's chromium, headless, with everything that would phone home switched off (as test/collector/dashboard.test.ts).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const started: ResultPromise[] = [];

afterAll(async () => {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
});

interface Step {
  stage: string;
  source: string;
}
interface Event {
  kind: string;
  source: string;
  attrs: Record<string, unknown>;
}

async function collectorGet<T>(url: string, token: string): Promise<T> {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return (await r.json()) as T;
}

describe('builder rehearse --demo: phases 3 and 4 by PXE through the agent', () => {
  it('builder rehearse --demo: every phase it covers (1 to 4) in order; each MS-02 goes DHCP → TFTP → HTTP → installer → webhook, cp-2 and cp-3 DHCP (relayed) → TFTP → HTTP → Talos → installed → joined → healthy', async () => {
    const state = await mkdtemp(join(tmpdir(), 'rehearse-pxe-'));
    const proc = execa('node', [CLI, 'rehearse', '--demo', '--keep', '--lab', labWithCni(state), '--state', join(state, 'state'), '--timeout', '300'], { reject: false, all: true, buffer: true });
    started.push(proc);
    let out = '';
    proc.all!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 900_000;
    while (!out.includes('--keep: the lab stays up') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(out).toContain('--keep: the lab stays up');
    // Every phase done, in order.
    const p1 = out.indexOf('rehearse: phase 1 (Direct boot): done');
    const p3 = out.indexOf('rehearse: phase 3 (Harvester online): demo goal reached');
    const p4 = out.indexOf('rehearse: phase 4 (Full platform): done');
    expect(p1, out).toBeGreaterThan(0);
    expect(p3, out).toBeGreaterThan(p1);
    expect(p4, out).toBeGreaterThan(p3);
    const p2 = out.indexOf('rehearse: phase 2 (Single-node platform): done');
    expect(p2, out).toBeGreaterThan(p1);
    expect(p3, out).toBeGreaterThan(p2);
    expect(out).toMatch(/ms02-1: rebooting.*\n\s+ms02-2: rebooting.*\n\s+ms02-3: rebooting/);

    const url = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
    const token = readFileSync(join(state, 'state', 'rehearsal', 'state', 'secrets', 'collector-token'), 'utf8').trim();
    const status = await collectorGet<{ hosts: { name: string; stage: string; steps: Step[] }[] }>(`${url}/v1/status`, token);
    const um760 = status.hosts.find((h) => h.name === 'cp-1')!;
    expect(um760.steps.map((s) => s.stage)).toEqual(['booted', 'installing', 'rebooting', 'installed', 'joined', 'healthy']);
    for (const name of MS02) {
      const h = status.hosts.find((x) => x.name === name)!;
      // The PXE service saw its MAC at each step; the installer's webhooks gave the rest.
      expect(h.steps.map((s) => [s.stage, s.source]), name).toEqual([
        ['pxe-dhcp', 'pxe'],
        ['pxe-tftp', 'pxe'],
        ['pxe-http', 'pxe'],
        ['installing', 'harvester'],
        ['rebooting', 'harvester'],
      ]);
      const events = (await collectorGet<{ events: Event[] }>(`${url}/v1/events?host=${name}&limit=1000`, token)).events;
      // The first DISCOVER is OVMF's own PXE (arch 7, no iPXE user class); it got ipxe.efi over TFTP.
      const discover = events.find((e) => e.kind === 'dhcp.discover');
      expect(discover?.attrs, name).toMatchObject({ arch: 7, userClass: null });
      expect(events.find((e) => e.kind === 'tftp.done')?.attrs).toMatchObject({ file: 'ipxe.efi' });
      // iPXE fetched the rendered script, the demo kernel and installer at the script's URLs, then the installer its config.
      const fetched = events.filter((e) => e.kind === 'http.fetch' && e.attrs.status === 200).map((e) => String(e.attrs.file));
      expect(fetched).toEqual(expect.arrayContaining([expect.stringMatching(/^\/ipxe\/02-00-00-00-02-0\d\.ipxe$/), '/assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64', '/assets/harvester/v1.5.0/harvester-v1.5.0-initrd-amd64', `/harvester/${name}.yaml`]));
      expect(fetched.indexOf(`/harvester/${name}.yaml`)).toBeGreaterThan(fetched.indexOf('/assets/harvester/v1.5.0/harvester-v1.5.0-initrd-amd64'));
      // STARTED before SUCCEEDED; the SUCCEEDED webhook to the PXE service marked the MAC installed.
      const kinds = events.map((e) => e.kind);
      expect(kinds.indexOf('install.started')).toBeLessThan(kinds.indexOf('install.succeeded'));
      expect(events.find((e) => e.kind === 'pxe.installed')?.attrs).toMatchObject({ source: 'harvester' });
      const console = readFileSync(join(state, 'state', 'rehearsal', 'logs', `${name}.console.log`), 'utf8');
      expect(console).toContain(`demo: config fetched from http://10.10.20.10:8081/harvester/${name}.yaml`);
      expect(console).toContain(`mode ${name === 'ms02-1' ? 'create' : 'join'}, install device /dev/nvme0n1`);
      // The webhooks' bearer token came in the config; it is never on a console.
      expect(console).not.toContain(token);
    }
    for (const name of ['cp-2', 'cp-3']) {
      const h = status.hosts.find((x) => x.name === name)!;
      expect(h.steps.map((s) => [s.stage, s.source]), name).toEqual([
        ['pxe-dhcp', 'pxe'],
        ['pxe-tftp', 'pxe'],
        ['pxe-http', 'pxe'],
        ['booted', 'talos'],
        ['installing', 'talos'],
        ['rebooting', 'talos'],
        ['installed', 'talos'],
        ['joined', 'join'],
        ['healthy', 'join'],
      ]);
      const events = (await collectorGet<{ events: Event[] }>(`${url}/v1/events?host=${name}&limit=1000`, token)).events;
      // OVMF's own DISCOVER reached the PXE service through the gateway's relay (giaddr on LAB_PLATFORM's br30).
      expect(events.find((e) => e.kind === 'dhcp.discover')?.attrs, name).toMatchObject({ arch: 7, giaddr: '10.10.30.1' });
      expect(events.find((e) => e.kind === 'dhcp.offer')?.attrs).toMatchObject({ subnet: 'LAB_PLATFORM', router: '10.10.30.1' });
      const fetched = events.filter((e) => e.kind === 'http.fetch' && e.attrs.status === 200).map((e) => String(e.attrs.file));
      expect(fetched).toEqual(expect.arrayContaining(['/assets/talos/v1.12.0/vmlinuz-amd64', '/assets/talos/v1.12.0/initramfs-amd64.xz', `/talos/${name}.yaml`]));
      const console = readFileSync(join(state, 'state', 'rehearsal', 'logs', `${name}.console.log`), 'utf8');
      expect(console).toContain(`demo: config fetched from http://10.10.20.10:8081/talos/${name}.yaml`);
      // No Bootstrap on an additional control plane: its etcd joins through cp-1's, the member list is theirs.
      expect(console).toMatch(/demo: etcd joins the existing cluster through its members \(cp-1 /);
      expect(console).toContain(`demo: kubelet reported node ${name} Ready=True`);
      expect(events.filter((e) => e.kind === 'join.bootstrap')).toEqual([]);
      expect(events.find((e) => e.kind === 'join.etcd')?.attrs.members).toEqual(expect.arrayContaining(['cp-1', name]));
    }
    // The dashboard at the end of the demo, in headless Chromium: a timeline lane per host, the
    // MS-02s' starting with their PXE stages (docs/rehearse-dashboard.png is a copy of this shot).
    const profile = await mkdtemp(join(tmpdir(), 'rehearse-dash-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 1000 } });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${url}/`);
      await page.waitForSelector('#conn[data-state="live"]');
      for (const name of MS02) await page.waitForSelector(`#timeline g.lane[data-host="${name}"] rect.seg[data-stage="pxe-dhcp"]`);
      await page.waitForSelector('#timeline g.lane[data-host="cp-3"] rect.seg[data-stage="installed"]');
      mkdirSync(SHOTS, { recursive: true });
      // Its output beside the shot: each phase's wall time and peak memory (docs/rehearse.md's figures).
      writeFileSync(join(SHOTS, 'rehearse-demo.out'), out);
      await page.screenshot({ path: join(SHOTS, 'rehearse-dashboard.png'), fullPage: true });
    } finally {
      await context.close();
    }
    proc.kill('SIGINT');
    expect((await proc).exitCode).toBe(0);
    expect(existsSync(join(state, 'state', 'rehearsal', 'rehearsal.json'))).toBe(false);
  }, 960_000);

  it("a lab with the wrong MAC for ms02-2 fails at ms02-2 with no DHCP/PXE (stage expected) and the unknown-mac remedy", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rehearse-mac-'));
    // The lab file has a typo in ms02-2's MAC; the machine (its VM) has the real one. Phase 4 is never reached.
    const lab = labWithCni(dir, (t) => t.replace('mac: "02:00:00:00:02:02"', 'mac: "02:00:00:00:02:22"'));
    const r = await execa('node', [CLI, 'rehearse', '--demo', '--phases', '1,3', '--mac', 'ms02-2=02:00:00:00:02:02', '--lab', lab, '--timeout', '300'], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toContain('rehearse: phase 1 (Direct boot): done');
    expect(r.stdout).toContain('rehearse: phase 3 (Harvester online): FAILED');
    expect(r.stdout).toContain('failed at ms02-2, stage expected: no DHCP or PXE request from its MAC 02:00:00:00:02:22 reached the PXE service, while unknown MAC 02:00:00:00:02:02 asked for a network boot');
    expect(r.stdout).toContain('remedy: runbook section #unknown-mac');
    expect(existsSync(join(dir, 'state', 'rehearsal', 'rehearsal.json'))).toBe(false);
  }, 600_000);
});
