import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../src/lab/index.js';
import { deriveStatus, planFromLab, STAGES, STALL_RULES, PHASES, classifyEvent, type ModelEvent, type GenesisPlan } from '../../src/phases/index.js';

const LAB = fileURLToPath(new URL('../../../examples/genesis/lab.yaml', import.meta.url));
function plan(): GenesisPlan {
  const r = parseLab(readFileSync(LAB, 'utf8'), LAB);
  if (!r.ok) throw new Error('example lab invalid');
  return planFromLab(r.lab);
}

const T0 = Date.parse('2026-01-01T10:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
let seq = 0;
function e(min: number, host: string | undefined, source: ModelEvent['source'], kind: string, attrs: Record<string, unknown> = {}, mac?: string): ModelEvent {
  seq += 1;
  const ev: ModelEvent = { seq, source, kind, time: at(min), received: at(min), attrs };
  if (host) ev.host = host;
  if (mac) ev.mac = mac;
  return ev;
}
const hostOf = (s: ReturnType<typeof deriveStatus>, name: string) => s.hosts.find((h) => h.name === name)!;

describe('Genesis plan from the example lab', () => {
  it('puts each host in its phase with the path its role and boot give it', () => {
    const p = plan();
    const phase = Object.fromEntries(p.hosts.map((h) => [h.name, h.phase]));
    expect(phase).toEqual({ gateway: 'direct-boot', 'cp-1': 'direct-boot', 'ms02-1': 'harvester-online', 'ms02-2': 'harvester-online', 'ms02-3': 'harvester-online', 'cp-2': 'full-platform', 'cp-3': 'full-platform' });
    expect(p.hosts.find((h) => h.name === 'gateway')!.path).toEqual(['expected', 'booted']);
    expect(p.hosts.find((h) => h.name === 'cp-1')!.path).toEqual(['expected', 'booted', 'installing', 'rebooting', 'installed', 'joined', 'healthy']);
    expect(p.hosts.find((h) => h.name === 'ms02-1')!.path.slice(4)).toEqual(['installing', 'rebooting', 'healthy']);
    expect(p.hosts.find((h) => h.name === 'ms02-1')!.path.slice(0, 4)).toEqual(['expected', 'pxe-dhcp', 'pxe-tftp', 'pxe-http']);
    expect(p.hosts.find((h) => h.name === 'cp-2')!.path).toContain('booted');
    expect(p.phases.map((x) => x.id)).toEqual(PHASES.map((x) => x.id));
    expect(p.phases[1]!.checks.map((c) => c.id)).toEqual(['argocd-app-crossplane', 'argocd-app-tinkerbell']);
  });

  it('gives every stage, stall rule and remedy a stable id and a title (the runbook anchors on them)', () => {
    const ids = [...STAGES.map((s) => s.id), ...STALL_RULES.map((r) => r.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of STALL_RULES) expect(r.remedy).toMatch(/^[a-z][a-z0-9-]*$/);
    for (const s of STAGES) expect(s.title.length).toBeGreaterThan(0);
    for (const s of STAGES.filter((x) => x.id !== 'expected')) expect(s.provenBy.length).toBeGreaterThan(0);
  });
});

describe('deriveStatus', () => {
  it('starts every host as expected and phase 1 active, later phases pending', () => {
    const s = deriveStatus(plan(), [], { startedAt: at(0), now: at(1) });
    expect(s.hosts.every((h) => h.stage === 'expected')).toBe(true);
    expect(s.phases.map((p) => p.state)).toEqual(['active', 'pending', 'pending', 'pending']);
    expect(s.problems).toEqual([]);
  });

  it('moves a PXE host through DHCP, TFTP, HTTP by MAC alone, keeping the highest stage', () => {
    const events = [
      e(1, undefined, 'pxe', 'dhcp.discover', {}, '02:00:00:00:02:02'),
      e(2, undefined, 'pxe', 'tftp.start', {}, '02:00:00:00:02:02'),
      e(3, undefined, 'pxe', 'http.fetch', {}, '02:00:00:00:02:02'),
      e(4, undefined, 'pxe', 'dhcp.request', {}, '02:00:00:00:02:02'),
    ];
    const h = hostOf(deriveStatus(plan(), events, { startedAt: at(0), now: at(5) }), 'ms02-2');
    expect(h.stage).toBe('pxe-http');
    expect(h.steps.map((x) => x.stage)).toEqual(['pxe-dhcp', 'pxe-tftp', 'pxe-http']);
    expect(h.since).toBe(at(3));
  });

  it('says in words why a host is stalled, with the rule and remedy', () => {
    const p = plan();
    // Phase 1 done at minute 10 (gateway booted, cp-1 healthy, Argo CD healthy), phase 2 at 20.
    const events = [
      e(1, 'gateway', 'agent', 'boot'),
      e(2, 'cp-1', 'talos', 'talos.stage', { stage: 'BOOTING' }),
      e(3, 'cp-1', 'talos', 'talos.stage', { stage: 'INSTALLING', ready: true }),
      e(6, 'cp-1', 'talos', 'talos.restart', { cmd: 0x45584543 }),
      e(7, 'cp-1', 'talos', 'talos.stage', { stage: 'RUNNING', ready: false }),
      e(8, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] }),
      e(9, 'cp-1', 'join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy: true }], unhealthy: [] }),
      e(10, 'cp-1', 'join', 'join.argocd-healthy'),
      e(15, 'cp-1', 'join', 'join.argocd-app', { app: 'crossplane', health: 'Healthy', sync: 'Synced' }),
      e(20, 'cp-1', 'join', 'join.argocd-app', { app: 'tinkerbell', health: 'Healthy', sync: 'Synced' }),
      e(21, undefined, 'pxe', 'dhcp.discover', {}, '02:00:00:00:02:01'),
    ];
    const s = deriveStatus(p, events, { startedAt: at(0), now: at(31) });
    expect(s.phases.map((x) => x.state)).toEqual(['done', 'done', 'active', 'pending']);
    expect(s.phases[0]!.doneAt).toBe(at(10));
    expect(s.phases[2]!.startedAt).toBe(at(20));
    const stalled = s.problems.filter((x) => x.kind === 'stalled').map((x) => x.reason).sort();
    // ms02-2 and ms02-3 wait from phase 3's start (minute 20): 11 min without a DHCP request.
    expect(stalled).toContain('ms02-2: no DHCP request seen for 11 min');
    expect(stalled).toContain('ms02-3: no DHCP request seen for 11 min');
    // ms02-1 got DHCP at 21 and nothing since: TFTP rule (5 min).
    expect(stalled).toContain('ms02-1: got a DHCP answer but no TFTP transfer started for 10 min');
    expect(hostOf(s, 'ms02-2').problem?.remedy).toBe('no-dhcp');
    // Phase 4 has not started: its hosts are not stalled however long it takes.
    expect(hostOf(s, 'cp-2').problem).toBeUndefined();
    // Problems first.
    expect(s.hosts[0]!.problem).toBeDefined();
  });

  it('does not stall a host before its threshold', () => {
    const s = deriveStatus(plan(), [], { startedAt: at(0), now: at(9) });
    expect(s.problems).toEqual([]);
    const later = deriveStatus(plan(), [], { startedAt: at(0), now: at(10) });
    expect(later.problems.map((p) => p.reason)).toEqual(expect.arrayContaining(['cp-1: no boot report received for 10 min', 'gateway: no boot report received for 10 min']));
  });

  it('honours threshold overrides by rule id', () => {
    const s = deriveStatus(plan(), [], { startedAt: at(0), now: at(3), thresholds: { 'stall-expected-boot': 2 } });
    expect(s.problems.some((p) => p.reason === 'cp-1: no boot report received for 3 min')).toBe(true);
  });

  it('marks a failure with its reason and remedy; a later retry clears it but the timeline keeps it', () => {
    const failed = [e(1, 'cp-1', 'talos', 'talos.config-error', { error: 'unknown keys found' })];
    const s = deriveStatus(plan(), failed, { startedAt: at(0), now: at(2) });
    const h = hostOf(s, 'cp-1');
    expect(h.stage).toBe('failed');
    expect(h.problem).toMatchObject({ kind: 'failed', remedy: 'config-error', reason: 'cp-1: Talos could not load its configuration: unknown keys found' });
    expect(s.phases[0]!.state).toBe('failed');
    const retried = deriveStatus(plan(), [...failed, e(3, 'cp-1', 'talos', 'talos.stage', { stage: 'BOOTING' })], { startedAt: at(0), now: at(4) });
    expect(hostOf(retried, 'cp-1').stage).toBe('booted');
    expect(hostOf(retried, 'cp-1').failures).toEqual([{ at: at(1), reason: 'Talos could not load its configuration: unknown keys found' }]);
  });

  it('keeps the steps before a failure (a failed host still shows how far it got)', () => {
    const events = [e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'BOOTING' }), e(2, 'cp-1', 'talos', 'talos.stage', { stage: 'INSTALLING' }), e(3, 'cp-1', 'talos', 'talos.sequence', { sequence: 'install', action: 'STOP', error: 'failed to install: no disk matched', errorCode: 'FATAL' })];
    const h = hostOf(deriveStatus(plan(), events, { startedAt: at(0), now: at(4) }), 'cp-1');
    expect(h.stage).toBe('failed');
    expect(h.steps.map((x) => x.stage)).toEqual(['booted', 'installing']);
    // Talos's failed install sequence points at the install remedy, as Harvester's FAILED webhook does.
    expect(h.problem).toMatchObject({ kind: 'failed', remedy: 'install-failed' });
  });

  it('reads Talos install, kexec reboot and RUNNING-not-ready as progress, never as failure', () => {
    const events = [
      e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'BOOTING', ready: false }),
      e(2, 'cp-1', 'talos', 'talos.stage', { stage: 'INSTALLING', ready: true }),
      e(5, 'cp-1', 'talos', 'talos.stage', { stage: 'REBOOTING', ready: true }),
      e(5, 'cp-1', 'talos', 'talos.restart', { cmd: 0x45584543 }),
      e(5, 'cp-1', 'talos', 'talos.sequence', { sequence: 'install', action: 'STOP' }),
      e(5, 'cp-1', 'talos', 'talos.sequence', { sequence: 'install', action: 'NOOP', errorCode: 'FATAL', reboot: 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)' }),
    ];
    const mid = hostOf(deriveStatus(plan(), events, { startedAt: at(0), now: at(6) }), 'cp-1');
    expect(mid.stage).toBe('rebooting');
    expect(mid.problem).toBeUndefined();
    const running = [...events, e(7, 'cp-1', 'talos', 'talos.stage', { stage: 'RUNNING', ready: false, unmet: [{ name: 'nodeReady', reason: 'node "cp-1" is not ready' }] })];
    const h = hostOf(deriveStatus(plan(), running, { startedAt: at(0), now: at(8) }), 'cp-1');
    expect(h.stage).toBe('installed');
    expect(h.unmet).toEqual([{ name: 'nodeReady', reason: 'node "cp-1" is not ready' }]);
    // A LOCKED NOOP (another sequence holds the lock) is not a failure either.
    expect(classifyEvent({ source: 'talos', kind: 'talos.sequence', attrs: { sequence: 'reboot', action: 'NOOP', errorCode: 'LOCKED', error: 'sequence not started: locked' } })).toBeUndefined();
  });

  it('Harvester: SUCCEEDED is the reboot after the disk write; FAILED after it is a failed reboot', () => {
    const events = [e(1, 'ms02-1', 'harvester', 'install.started'), e(20, 'ms02-1', 'harvester', 'install.succeeded')];
    expect(hostOf(deriveStatus(plan(), events, { startedAt: at(0), now: at(21) }), 'ms02-1').stage).toBe('rebooting');
    const h = hostOf(deriveStatus(plan(), [...events, e(21, 'ms02-1', 'harvester', 'install.failed')], { startedAt: at(0), now: at(22) }), 'ms02-1');
    expect(h.problem).toMatchObject({ kind: 'failed', remedy: 'harvester-reboot-failed' });
  });

  it('healthy only from the watchers: a Talos node needs its node Ready and its services healthy', () => {
    const svc = (healthy: boolean) => e(3, 'cp-1', 'join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy }], unhealthy: healthy ? [] : ['etcd: x'] });
    const base = [e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'RUNNING', ready: true }), svc(true)];
    expect(hostOf(deriveStatus(plan(), base, { startedAt: at(0), now: at(4) }), 'cp-1').stage).toBe('installed');
    const ready = [...base, e(4, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1' })];
    expect(hostOf(deriveStatus(plan(), ready, { startedAt: at(0), now: at(5) }), 'cp-1').stage).toBe('healthy');
    const sick = [e(1, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1' }), svc(false)];
    expect(hostOf(deriveStatus(plan(), sick, { startedAt: at(0), now: at(5) }), 'cp-1').stage).toBe('joined');
  });

  it('a node that drops out of Ready after Healthy goes back to Joined, stalls as not healthy, and recovers', () => {
    const healthy = [
      e(1, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] }),
      e(2, 'cp-1', 'join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy: true }], unhealthy: [] }),
    ];
    expect(hostOf(deriveStatus(plan(), healthy, { startedAt: at(0), now: at(3) }), 'cp-1')).toMatchObject({ stage: 'healthy', done: true });
    const dropped = [...healthy, e(5, 'cp-1', 'join', 'join.node-not-ready', { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] })];
    const h = hostOf(deriveStatus(plan(), dropped, { startedAt: at(0), now: at(30) }), 'cp-1');
    expect(h).toMatchObject({ stage: 'joined', done: false, since: at(5) });
    // The timeline keeps the Healthy it reached; the stall rule for Joined applies from the drop.
    expect(h.steps.map((x) => x.stage)).toContain('healthy');
    expect(h.problem).toMatchObject({ kind: 'stalled', remedy: 'not-healthy', reason: 'cp-1: joined but not healthy for 25 min' });
    const back = [...dropped, e(31, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] })];
    expect(hostOf(deriveStatus(plan(), back, { startedAt: at(0), now: at(32) }), 'cp-1')).toMatchObject({ stage: 'healthy', done: true });
    // A Talos service turning unhealthy does the same; a Harvester node out of Ready too.
    const sick = [...healthy, e(5, 'cp-1', 'join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy: false }], unhealthy: ['etcd: x'] })];
    expect(hostOf(deriveStatus(plan(), sick, { startedAt: at(0), now: at(6) }), 'cp-1').stage).toBe('joined');
    const hv = [e(1, 'ms02-1', 'join', 'join.harvester-ready', { node: 'ms02-1' }), e(2, 'ms02-1', 'join', 'join.harvester-not-ready', { node: 'ms02-1' })];
    expect(hostOf(deriveStatus(plan(), hv, { startedAt: at(0), now: at(3) }), 'ms02-1')).toMatchObject({ stage: 'joined', done: false });
    expect(hostOf(deriveStatus(plan(), [...hv, e(3, 'ms02-1', 'join', 'join.harvester-ready', { node: 'ms02-1' })], { startedAt: at(0), now: at(4) }), 'ms02-1')).toMatchObject({ stage: 'healthy', done: true });
  });

  it("keeps the agent's boot facts as the host's observed machine, and ignores malformed ones", () => {
    const boot = (attrs: Record<string, unknown>) => hostOf(deriveStatus(plan(), [e(1, 'gateway', 'agent', 'boot', attrs)], { startedAt: at(0), now: at(2) }), 'gateway').observed;
    expect(boot({ vendor: 'Protectli', product: 'VP6630', cpus: 4, memoryBytes: 16e9, macs: ['64:62:66:22:00:01'] })).toEqual({ macs: ['64:62:66:22:00:01'], machine: { vendor: 'Protectli', product: 'VP6630', cpus: 4, memoryBytes: 16e9 } });
    expect(boot({ vendor: '', cpus: 2.5, memoryBytes: 'lots' })).toBeUndefined();
  });

  it('done means observed equals declared: a Talos install on the wrong disk is a problem', () => {
    const healthy = [
      e(1, 'cp-1', 'join', 'join.node-ready', { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] }),
      e(2, 'cp-1', 'join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy: true }], unhealthy: [] }),
    ];
    const good = [...healthy, e(3, 'cp-1', 'join', 'join.install-disk', { device: '/dev/nvme0n1', size: 512110190592, model: 'Samsung SSD 990 PRO 512GB', serial: 'S7', type: 'nvme' })];
    expect(hostOf(deriveStatus(plan(), good, { startedAt: at(0), now: at(4) }), 'cp-1')).toMatchObject({ done: true, mismatches: [] });
    const wrong = [...healthy, e(3, 'cp-1', 'join', 'join.install-disk', { device: '/dev/sda', size: 32e9, model: 'USB Flash', serial: 'U1', type: 'ssd' })];
    const h = hostOf(deriveStatus(plan(), wrong, { startedAt: at(0), now: at(4) }), 'cp-1');
    expect(h.done).toBe(false);
    expect(h.problem).toMatchObject({ kind: 'mismatch', remedy: 'declared-mismatch', reason: 'cp-1: Talos installed to /dev/sda (32 GB, ssd, USB Flash, U1), but the lab selects size >= 256GB, type nvme' });
  });

  it("a Harvester node is compared by its management address only (it also has one on the PXE network)", () => {
    const ready = (addresses: string[]) => [e(1, 'ms02-1', 'join', 'join.node-ready', { node: 'ms02-1', addresses, roles: ['control-plane', 'etcd', 'master'] })];
    const on = (addresses: string[]) => hostOf(deriveStatus(plan(), ready(addresses), { startedAt: at(0), now: at(2) }), 'ms02-1');
    expect(plan().hosts.find((h) => h.name === 'ms02-1')).toMatchObject({ addresses: ['10.10.10.11', '10.10.20.11'], nodeAddresses: ['10.10.10.11'] });
    expect(on(['10.10.10.11']).mismatches).toEqual([]);
    expect(on(['10.10.20.11']).mismatches).toEqual([{ host: 'ms02-1', field: 'address', declared: '10.10.10.11', observed: '10.10.20.11' }]);
  });

  it('turns an error-level kernel line into a problem for its host', () => {
    const s = deriveStatus(plan(), [e(1, 'cp-1', 'kmsg', 'kmsg', { msg: 'nvme nvme0: I/O 12 QID 3 timeout, aborting', priority: 3 }), e(2, 'cp-1', 'kmsg', 'kmsg', { msg: 'ok', priority: 6 })], { startedAt: at(0), now: at(3) });
    expect(s.problems.find((p) => p.kind === 'kernel-error')).toMatchObject({ host: 'cp-1', remedy: 'kernel-error', reason: 'cp-1: 1 kernel error, latest: nvme nvme0: I/O 12 QID 3 timeout, aborting' });
  });

  it('shows a silent host with its last known stage', () => {
    const s = deriveStatus(plan(), [e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'INSTALLING' })], { startedAt: at(0), now: at(8) });
    const h = hostOf(s, 'cp-1');
    expect(h.stage).toBe('installing');
    expect(h.silent).toBe(true);
    expect(h.lastSeen).toBe(at(1));
  });

  it('counts any later event (even one proving no stage) as a sign of life', () => {
    const s = deriveStatus(plan(), [e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'INSTALLING' }), e(7, 'cp-1', 'talos', 'talos.task', { task: 'x' })], { startedAt: at(0), now: at(8) });
    expect(hostOf(s, 'cp-1').silent).toBe(false);
  });

  it('uses the latest Argo CD report: Healthy then Degraded is not met', () => {
    const events = [
      e(1, 'cp-1', 'join', 'join.argocd-app', { app: 'crossplane', health: 'Healthy', sync: 'Synced' }),
      e(2, 'cp-1', 'join', 'join.argocd-app', { app: 'crossplane', health: 'Degraded', sync: 'Synced' }),
    ];
    const s = deriveStatus(plan(), events, { startedAt: at(0), now: at(3) });
    const c = s.phases[1]!.checks.find((x) => x.id === 'argocd-app-crossplane')!;
    expect(c.met).toBe(false);
    expect(c.seen).toBe('Degraded / Synced');
  });

  it('reports an unknown MAC as a problem', () => {
    const s = deriveStatus(plan(), [e(1, undefined, 'pxe', 'dhcp.discover', {}, 'aa:bb:cc:dd:ee:ff')], { startedAt: at(0), now: at(1) });
    expect(s.unknownMacs).toEqual([{ mac: 'aa:bb:cc:dd:ee:ff', lastSeen: at(1), events: 1 }]);
    expect(s.problems[0]!.kind).toBe('unknown-mac');
  });

  it('takes an HTTP status >= 400 and an iPXE fetch failure for failures that name the path', () => {
    expect(classifyEvent({ source: 'pxe', kind: 'http.error', attrs: { file: '/assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64', status: 404 } })).toMatchObject({ stage: 'failed', reason: expect.stringContaining('HTTP 404 for /assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64') });
    expect(classifyEvent({ source: 'pxe', kind: 'ipxe.beacon', attrs: { step: 'kernel', failed: '0x2d0c613b' } })).toMatchObject({ stage: 'failed', reason: expect.stringContaining('kernel') });
    expect(classifyEvent({ source: 'pxe', kind: 'http.fetch', attrs: { file: '/x', status: 200 } })?.stage).toBe('pxe-http');
  });

  it('classifies Talos stages as the sink reports them', () => {
    expect(classifyEvent({ source: 'talos', kind: 'talos.stage', attrs: { stage: 'RUNNING', ready: false } })?.stage).toBe('installed');
    // Healthy comes from the clusters' APIs, not from the node's MachineStatus.
    expect(classifyEvent({ source: 'talos', kind: 'talos.stage', attrs: { stage: 'RUNNING', ready: true } })?.stage).toBe('installed');
    expect(classifyEvent({ source: 'talos', kind: 'talos.stage', attrs: { stage: 'REBOOTING', ready: true } })?.stage).toBe('rebooting');
    expect(classifyEvent({ source: 'talos', kind: 'talos.stage', attrs: { stage: 'UPGRADING', ready: true } })).toBeUndefined();
    expect(classifyEvent({ source: 'talos', kind: 'talos.sequence', attrs: { sequence: 'boot', action: 'STOP', error: 'boom' } })?.stage).toBe('failed');
    expect(classifyEvent({ source: 'kmsg', kind: 'kmsg', attrs: {} })?.stage).toBe('booted');
  });
});

describe('listRemedies', () => {
  it('names every remedy a problem can link to, once', async () => {
    const { listRemedies } = await import('../../src/phases/index.js');
    const ids = listRemedies().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of STALL_RULES) expect(ids).toContain(r.remedy);
    expect(ids).toEqual(expect.arrayContaining(['install-failed', 'config-error', 'host-failed', 'argocd-not-healthy', 'argocd-app-not-healthy', 'unknown-mac']));
  });
});

describe('stall thresholds from the lab file', () => {
  it('reads collector.stalls and refuses an id that is no stall rule or check', () => {
    const text = readFileSync(LAB, 'utf8').replace(/^collector:\n/m, 'collector:\n  stalls: { stall-rebooting: 3, argocd-healthy: 40 }\n');
    const ok = parseLab(text, LAB);
    expect(ok.ok && ok.lab.collector.stalls).toEqual({ 'stall-rebooting': 3, 'argocd-healthy': 40 });
    const p = plan();
    const events = [e(1, 'cp-1', 'talos', 'talos.stage', { stage: 'REBOOTING' })];
    const s = deriveStatus(p, events, { startedAt: at(0), now: at(5), thresholds: ok.ok ? ok.lab.collector.stalls : {} });
    expect(hostOf(s, 'cp-1').problem).toMatchObject({ kind: 'stalled', rule: 'stall-rebooting', remedy: 'not-back-from-reboot' });
    const bad = parseLab(text.replace('stall-rebooting', 'stall-typo'), LAB);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(JSON.stringify(bad.problems)).toContain('\\"stall-typo\\" is not a stall rule or check');
  });
});
