import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { canUseNetns } from '../fixtures/netns/ip.js';
import { labWithCni } from './lab-with-cni.js';

// The real rehearsal, as an operator runs it: the built CLI as root, QEMU (TCG) VMs for the lab
// switch, the gateway and cp-1 on the example lab, the collector in the laptop namespace with
// its real join watchers, and the demo APIs beside it (a stand-in apid and Kubernetes API with a
// demo Argo CD, driven only by what the demo cp-1 does). What the demo payloads and the stand-ins
// do not model is listed in docs/rehearse.md. cp-1 boots the stick make-usb builds from the demo
// Talos base (Talos's layout and boot chain around Debian's kernel and the demo Talos node: not
// Talos's kernel or machined) as a USB disk under OVMF. Not modelled: PXE, real install, containers,
// etcd itself, Argo CD itself or Harvester; the GitOps repository's Applications are the ones
// phase 2 waits for.
if (!(await canUseNetns())) throw new Error('this test needs network namespaces (ip netns, as root): run the suite as root (CI does)');

const CLI = join(process.cwd(), 'builder/bin/builder.js');
const started: ResultPromise[] = [];

afterAll(async () => {
  // A failed assertion leaves a kept rehearsal up: Ctrl-C it so it tears itself down.
  for (const p of started) if (p.exitCode === null) p.kill('SIGINT');
  await Promise.race([Promise.all(started), new Promise((r) => setTimeout(r, 30_000))]);
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
}, 60_000);

interface Ledger {
  namespaces: string[];
  processes: { pid: number; start: string; what: string }[];
}

function startOf(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function netnsList(): Promise<string[]> {
  return (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!);
}

/** Everything the ledger recorded is gone: no namespace, no process with the recorded start time. */
async function expectNothingLeft(ledger: Ledger): Promise<void> {
  const now = await netnsList();
  for (const ns of ledger.namespaces) expect(now, ns).not.toContain(ns);
  for (const p of ledger.processes) expect(startOf(p.pid), `${p.what} pid ${p.pid}`).not.toBe(p.start);
}

/** The host's own namespace holds none of the lab's addresses and no rehearsal tap. */
async function expectHostUntouched(): Promise<void> {
  const addrs = (await execa('ip', ['-4', '-o', 'addr'])).stdout;
  expect(addrs).not.toMatch(/ inet 10\.10\.|inet 10\.0\.0\.[12]\//);
  const links = (await execa('ip', ['-o', 'link'])).stdout;
  expect(links).not.toMatch(/: (laptop|uplink)[:@]/);
}

async function startKept(state: string, phases: string): Promise<{ proc: ResultPromise; out: () => string; ledgerFile: string; lab: string }> {
  const lab = labWithCni(state);
  const proc = execa('node', [CLI, 'rehearse', '--demo', '--phases', phases, '--keep', '--lab', lab, '--state', join(state, 'state'), '--timeout', '300'], { reject: false, all: true, buffer: true });
  started.push(proc);
  let out = '';
  proc.all!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 600_000;
  while (!out.includes('--keep: the lab stays up') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 250));
  return { proc, out: () => out, ledgerFile: join(state, 'state', 'rehearsal', 'rehearsal.json'), lab };
}

describe('builder rehearse --demo (QEMU VMs in namespaces it creates)', () => {
  it("runs phases 1 and 2 to done: cp-1's own path to healthy through Bootstrap, its Node and Argo CD; status, next and wait answer; Ctrl-C leaves nothing behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rehearse-'));
    const state = join(dir, 'state');
    const { proc, out, ledgerFile, lab } = await startKept(dir, '1-2');
    expect(out()).toMatch(/rehearse: phase 1 \(Direct boot\): done in [\d.]+ s/);
    expect(out()).toMatch(/rehearse: phase 2 \(Single-node platform\): done in [\d.]+ s/);
    expect(out().indexOf('phase 1 (Direct boot): done')).toBeLessThan(out().indexOf('phase 2 (Single-node platform): done'));
    expect(out()).toMatch(/gateway: booted\n\s+cp-1: healthy — booted → installing → rebooting → installed → joined → healthy/);
    const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as Ledger;
    expect(ledger.processes.map((p) => p.what)).toEqual(['collector (laptop namespace)', 'dashboard forwarder (laptop namespace)', 'VM lab-switch (QEMU)', 'demo APIs (laptop namespace)', 'VM gateway (QEMU)', 'VM cp-1 (QEMU)']);
    await expectHostUntouched();

    const url = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out())![1]!;
    const cli = (args: string[]) => execa('node', [CLI, ...args, '--lab', lab, '--state', join(state, 'rehearsal', 'state'), '--collector', url], { reject: false });
    const status = JSON.parse((await cli(['status', '--json'])).stdout) as { phases: { state: string; doneAt?: string }[]; hosts: { name: string; stage: string; done: boolean; steps: { stage: string; source: string }[]; observed?: { node?: { addresses: string[] }; disk?: { device: string; type: string } } }[] };
    expect(status.phases.slice(0, 2).map((p) => p.state)).toEqual(['done', 'done']);
    expect(Date.parse(status.phases[0]!.doneAt!)).toBeLessThanOrEqual(Date.parse(status.phases[1]!.doneAt!));
    const cp1 = status.hosts.find((h) => h.name === 'cp-1')!;
    // The UM760's path: firmware → embedded config found (booted) → install → reboot → running
    // (installed) from its Talos events; ready (joined, healthy) from the join watchers asking the demo APIs.
    expect(cp1.steps.map((st) => [st.stage, st.source])).toEqual([
      ['booted', 'talos'],
      ['installing', 'talos'],
      ['rebooting', 'talos'],
      ['installed', 'talos'],
      ['joined', 'join'],
      ['healthy', 'join'],
    ]);
    expect(cp1).toMatchObject({ stage: 'healthy', done: true, observed: { node: { addresses: ['10.10.30.10'] }, disk: { device: '/dev/nvme0n1', type: 'nvme' } } });
    expect(status.hosts.find((h) => h.name === 'gateway')).toMatchObject({ stage: 'booted', done: true });
    expect((await cli(['wait', '--phase', '2', '--timeout', '30s'])).exitCode).toBe(0);
    const next = await cli(['next', '--json']);
    expect(JSON.parse(next.stdout)).toMatchObject({ anchor: expect.stringMatching(/harvester|phase-3|ms02/) });

    const logs = join(state, 'rehearsal', 'logs');
    const console = readFileSync(join(logs, 'cp-1.console.log'), 'utf8');
    expect(console).toContain('demo: embedded config found: /usr/local/etc/talos/config.yaml');
    // Bootstrap came from the collector (--bootstrap) over mTLS through the node's apid relay, once.
    expect(console.match(/demo: bootstrap request received/g)).toHaveLength(1);
    expect(console.indexOf('please run `talosctl bootstrap`')).toBeLessThan(console.indexOf('demo: bootstrap request received'));
    expect(console.indexOf('demo: kubelet registered node cp-1 (NotReady)')).toBeLessThan(console.indexOf('demo: kubelet reported node cp-1 Ready=True'));
    for (const m of ['argocd-namespace', 'argocd-install', 'argocd-root-application']) expect(console).toContain(`demo: applied manifest ${m}`);

    // The rehearsal's secrets stay out of its output and logs; what carries them is 0600.
    const secretsDir = join(state, 'rehearsal', 'state', 'secrets');
    const token = readFileSync(join(secretsDir, 'collector-token'), 'utf8').trim();
    const apisConfig = readFileSync(join(state, 'rehearsal', 'demo-apis.json'), 'utf8');
    const keys = [...apisConfig.matchAll(/-----BEGIN PRIVATE KEY-----[^-]+/g)].map((m) => m[0].slice(30, 80));
    expect(keys.length).toBeGreaterThan(0);
    for (const f of ['cp-1.console.log', 'gateway.console.log', 'collector.log', 'collector.log.err', 'demo-apis.log', 'demo-apis.log.err']) {
      const text = readFileSync(join(logs, f), 'utf8');
      expect(text, f).not.toContain(token);
      expect(text, f).not.toMatch(/PRIVATE KEY/);
      for (const k of keys) expect(text, f).not.toContain(k);
    }
    expect(out()).not.toContain(token);
    // cp-1 boots its stick (the cluster's secrets in its config layer) and its rendered config: both 0600.
    for (const f of [join('vms', 'cp-1', 'cp-1-um760-demo.iso'), join('vms', 'cp-1', 'config.yaml'), join('vms', 'gateway', 'gateway-vp6630-demo.iso'), 'demo-apis.json', join('state', 'rendered', 'talosconfig'), join('state', 'rendered', 'kubeconfig')]) expect(statSync(join(state, 'rehearsal', f)).mode & 0o777, f).toBe(0o600);

    proc.kill('SIGINT');
    const r = await proc;
    expect(r.exitCode).toBe(0);
    expect(out()).toContain('rehearse: removed 3 namespaces and stopped 6 processes');
    expect(existsSync(ledgerFile)).toBe(false);
    await expectNothingLeft(ledger);
    await expectHostUntouched();
  }, 700_000);

  it("fails at cp-1's install when its install disk selector matches no disk, naming the stage and the remedy", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rehearse-broken-'));
    const lab = labWithCni(dir, (t) => t.replace('installDisk: { size: ">= 256GB", type: nvme }', 'installDisk: { size: ">= 2TB", type: nvme }'));
    const r = await execa('node', [CLI, 'rehearse', '--demo', '--phases', '1-2', '--json', '--lab', lab, '--timeout', '200'], { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain('rehearse: phase 1 (Direct boot): FAILED');
    const result = JSON.parse(r.stdout) as { ok: boolean; phases: { number: number; ok: boolean; wallMs: number; peakRssMb: number; failure?: { host: string; stage: string; reason: string; remedy: string } }[] };
    // Phase 2 never starts: the rehearsal stops at the first failed phase.
    expect(result.phases.map((p) => [p.number, p.ok])).toEqual([[1, false]]);
    expect(result.phases[0]!.failure).toEqual({ host: 'cp-1', stage: 'installing', reason: 'cp-1: Talos sequence install failed: failed to find a disk matching the install disk selector (size >= 2TB, type nvme) (demo)', remedy: 'install-failed' });
    expect(result.phases[0]!.wallMs).toBeGreaterThan(0);
    const cp1Console = readFileSync(join(dir, 'state', 'rehearsal', 'logs', 'cp-1.console.log'), 'utf8');
    // It booted the stick make-usb built from the demo Talos base and found the selector in its embedded config.
    expect(cp1Console).toMatch(/demo: booted by systemd-boot 257\S* entry talos-v1\.12\.0-demo\.efi through systemd-stub 257/);
    expect(cp1Console).toContain('demo: embedded config found: /usr/local/etc/talos/config.yaml');
    expect(cp1Console).toContain('demo: event sink 10.10.10.5:4001; install disk selector: size >= 2TB, type nvme');
    expect(cp1Console).toContain('demo: no disk matches the install disk selector');
    expect(existsSync(join(dir, 'state', 'rehearsal', 'rehearsal.json'))).toBe(false);
  }, 400_000);

  it('after kill -9 the namespaces and VMs stay, a new rehearsal refuses to start, and --clean removes them all', async () => {
    const state = await mkdtemp(join(tmpdir(), 'rehearse-'));
    const { proc, out, ledgerFile, lab } = await startKept(state, '1');
    expect(out()).toContain('--keep: the lab stays up');
    const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8')) as Ledger;
    proc.kill('SIGKILL');
    await proc;
    // Killed: no teardown ran, so what it made is still there.
    expect(await netnsList()).toEqual(expect.arrayContaining(ledger.namespaces));
    expect(ledger.processes.filter((p) => startOf(p.pid) === p.start)).toHaveLength(6);

    const again = await execa('node', [CLI, 'rehearse', '--demo', '--phases', '1', '--lab', lab, '--state', join(state, 'state')], { reject: false });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('an earlier rehearsal did not finish its teardown');
    expect(again.stderr).toContain('builder rehearse --clean');

    const clean = await execa('node', [CLI, 'rehearse', '--clean', '--lab', lab, '--state', join(state, 'state')], { reject: false });
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toContain('stopped 6 processes, removed 3 namespaces');
    await expectNothingLeft(ledger);
    await expectHostUntouched();
    expect(existsSync(ledgerFile)).toBe(false);
    const twice = await execa('node', [CLI, 'rehearse', '--clean', '--lab', lab, '--state', join(state, 'state')], { reject: false });
    expect(twice.stdout).toContain('nothing to clean');
  }, 400_000);
});
