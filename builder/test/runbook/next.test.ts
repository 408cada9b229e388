import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { deriveStatus, parseLab, planFromLab, type GenesisStatus, type Lab, type ModelEvent } from '@lab/shared';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';

/**
 * `builder next` against recorded collector states: each state is what the collector's
 * GET /v1/status returns for a recorded event list (computed by the same phase model the
 * collector runs), served by fastify on 127.0.0.1.
 */

const LAB_FILE = 'examples/genesis/lab.yaml';
const T0 = Date.parse('2026-11-20T10:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

let lab: Lab;
let app: FastifyInstance;
let base: string;
let current: GenesisStatus;

type Ev = Omit<ModelEvent, 'seq' | 'time' | 'received'> & { min: number };

function status(events: Ev[], nowMin: number): GenesisStatus {
  const model: ModelEvent[] = events.map((e, i) => ({ ...e, seq: i + 1, time: at(e.min), received: at(e.min) }));
  return deriveStatus(planFromLab(lab), model, { startedAt: at(0), now: at(nowMin) });
}

const gatewayUp: Ev[] = [{ host: 'gateway', source: 'agent', kind: 'boot', attrs: {}, min: 3 }];
// In the order Talos's sequencer emits them (internal/app/machined/pkg/runtime/v1alpha1): the ISO
// installs, reboots by kexec (its FATAL NOOP "unix.Reboot" is that reboot), and runs from disk
// not ready; healthy comes from the join watchers (node Ready, services healthy).
const cp1Installed: Ev[] = [
  ...gatewayUp,
  { host: 'cp-1', source: 'talos', kind: 'talos.stage', attrs: { stage: 'BOOTING' }, min: 6 },
  { host: 'cp-1', source: 'talos', kind: 'talos.stage', attrs: { stage: 'INSTALLING', ready: true }, min: 7 },
  { host: 'cp-1', source: 'talos', kind: 'talos.stage', attrs: { stage: 'REBOOTING', ready: true }, min: 9 },
  { host: 'cp-1', source: 'talos', kind: 'talos.sequence', attrs: { sequence: 'install', action: 'NOOP', errorCode: 'FATAL', reboot: 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)' }, min: 9 },
  { host: 'cp-1', source: 'talos', kind: 'talos.stage', attrs: { stage: 'RUNNING', ready: false, unmet: [{ name: 'nodeReady', reason: 'node "cp-1" is not ready' }] }, min: 10 },
];
const healthyServices = { services: [{ id: 'apid', state: 'Running', healthy: true }, { id: 'etcd', state: 'Running', healthy: true }, { id: 'kubelet', state: 'Running', healthy: true }], unhealthy: [] };
const cp1Healthy: Ev[] = [
  ...cp1Installed,
  { host: 'cp-1', source: 'join', kind: 'join.talos-services', attrs: healthyServices, min: 13 },
  { host: 'cp-1', source: 'join', kind: 'join.node-ready', attrs: { node: 'cp-1', addresses: ['10.10.30.10'], roles: ['control-plane'] }, min: 14 },
];
const phase1Done: Ev[] = [...cp1Healthy, { source: 'join', kind: 'join.argocd-healthy', attrs: {}, min: 18 }];
const phase2Done: Ev[] = [
  ...phase1Done,
  { source: 'join', kind: 'join.argocd-app', attrs: { app: 'crossplane', health: 'Healthy', sync: 'Synced' }, min: 25 },
  { source: 'join', kind: 'join.argocd-app', attrs: { app: 'tinkerbell', health: 'Healthy', sync: 'Synced' }, min: 26 },
];
const harvester = (name: string, mac: string, min: number): Ev[] => [
  { mac, source: 'pxe', kind: 'dhcp.discover', attrs: {}, min },
  { mac, source: 'pxe', kind: 'tftp.start', attrs: {}, min: min + 1 },
  { mac, source: 'pxe', kind: 'http.fetch', attrs: {}, min: min + 2 },
  { host: name, source: 'harvester', kind: 'install.started', attrs: {}, min: min + 3 },
  { host: name, source: 'harvester', kind: 'install.succeeded', attrs: {}, min: min + 20 },
  { host: name, source: 'join', kind: 'join.harvester-ready', attrs: { node: name }, min: min + 26 },
];
const phase3Done: Ev[] = [...phase2Done, ...harvester('ms02-1', '02:00:00:00:02:01', 30), ...harvester('ms02-2', '02:00:00:00:02:02', 31), ...harvester('ms02-3', '02:00:00:00:02:03', 32)];
const vm = (name: string, mac: string, min: number): Ev[] => [
  { mac, source: 'pxe', kind: 'dhcp.discover', attrs: {}, min },
  { mac, source: 'pxe', kind: 'tftp.start', attrs: {}, min },
  { mac, source: 'pxe', kind: 'http.fetch', attrs: {}, min },
  { host: name, source: 'talos', kind: 'talos.stage', attrs: { stage: 'BOOTING' }, min: min + 1 },
  { host: name, source: 'talos', kind: 'talos.stage', attrs: { stage: 'INSTALLING' }, min: min + 2 },
  { host: name, source: 'talos', kind: 'talos.restart', attrs: { cmd: 0x45584543, how: 'kexec' }, min: min + 5 },
  { host: name, source: 'talos', kind: 'talos.stage', attrs: { stage: 'RUNNING', ready: false }, min: min + 6 },
  { host: name, source: 'join', kind: 'join.node-ready', attrs: { node: name }, min: min + 8 },
  { host: name, source: 'join', kind: 'join.talos-services', attrs: healthyServices, min: min + 9 },
];

async function next(url = base) {
  const io = memoryIo(process.cwd());
  const code = await dispatch(['next', '--lab', LAB_FILE, '--collector', url, '--json'], io);
  return { code, advice: JSON.parse(io.stdout) as { kind: string; anchor: string; text: string }, err: io.stderr };
}

beforeAll(async () => {
  const parsed = parseLab(await readFile(LAB_FILE, 'utf8'), LAB_FILE);
  if (!parsed.ok) throw new Error('example lab invalid');
  lab = parsed.lab;
  app = Fastify();
  app.get('/v1/status', async () => current);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => app.close());

describe('builder next', () => {
  it('says which phase it cannot see when no collector answers', async () => {
    const closed = Fastify();
    await closed.listen({ host: '127.0.0.1', port: 0 });
    const addr = closed.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    await closed.close();
    const r = await next(url);
    expect(r.code).toBe(1);
    expect(r.advice.kind).toBe('no-collector');
    expect(r.advice.text).toContain(`no collector answers at ${url}`);
    expect(r.advice.text).toContain('Phase 1: Direct boot');
    expect(r.advice.text).toContain('runbook.html#preflight');
  });

  it('phase 1, nothing heard yet: write the sticks', async () => {
    current = status([], 2);
    const r = await next();
    expect(r.code).toBe(0);
    expect(r.advice.anchor).toBe('write-sticks');
    expect(r.advice.text).toContain('builder make-usb --target vp6630');
    expect(r.advice.text).toContain(`builder write --image ${process.cwd()}/examples/genesis/state/media/cp-1-um760.iso`);
  });

  it('phase 1, gateway up: boot cp-1, after the manual gateway steps', async () => {
    current = status(gatewayUp, 4);
    const r = await next();
    expect(r.advice.anchor).toBe('boot-cp-1');
    expect(r.advice.text).toContain('first, if not done yet: step 1.3 Install VyOS');
    expect(r.advice.text).toContain('runbook.html#gateway-check');
    expect(r.advice.text).toContain('talos.stage (talos)');
  });

  it('phase 1, cp-1 installed: bootstrap etcd against the UM760 address', async () => {
    current = status(cp1Installed, 11);
    const r = await next();
    expect(r.advice.anchor).toBe('bootstrap');
    expect(r.advice.text).toContain(`talosctl --talosconfig ${process.cwd()}/examples/genesis/state/rendered/talosconfig --endpoints 10.10.30.10 --nodes 10.10.30.10 bootstrap`);
  });

  it('phase 1, cp-1 healthy: check Argo CD', async () => {
    current = status(cp1Healthy, 16);
    const r = await next();
    expect(r.advice.anchor).toBe('argocd');
    expect(r.advice.text).toContain('-n argocd get pods');
  });

  it('phase 2: watch the platform applications', async () => {
    current = status(phase1Done, 19);
    const r = await next();
    expect(r.advice.anchor).toBe('platform-apps');
    expect(r.advice.text).toContain('get applications crossplane tinkerbell');
  });

  it('phase 3: power on the MS-02s for PXE, with their MACs', async () => {
    current = status(phase2Done, 27);
    const r = await next();
    expect(r.advice.anchor).toBe('harvester-power-on');
    for (const mac of ['02:00:00:00:02:01', '02:00:00:00:02:02', '02:00:00:00:02:03']) expect(r.advice.text).toContain(mac);
  });

  it('phase 3, hosts mid-install: wait for the install step', async () => {
    current = status([...phase2Done, ...harvester('ms02-1', '02:00:00:00:02:01', 30).slice(0, 4), ...harvester('ms02-2', '02:00:00:00:02:02', 30).slice(0, 4), ...harvester('ms02-3', '02:00:00:00:02:03', 30).slice(0, 4)], 40);
    const r = await next();
    expect(r.advice.anchor).toBe('harvester-install');
  });

  it('phase 4: create the Talos VMs on Harvester', async () => {
    current = status(phase3Done, 60);
    const r = await next();
    expect(r.advice.anchor).toBe('vm-create');
    expect(r.advice.text).toContain('02:00:00:00:03:02');
  });

  it('a stalled PXE host: the remedy for no DHCP request, naming its MAC', async () => {
    current = status([...phase2Done, ...harvester('ms02-1', '02:00:00:00:02:01', 30), ...harvester('ms02-3', '02:00:00:00:02:03', 30)], 60);
    const r = await next();
    expect(r.code).toBe(1);
    expect(r.advice.kind).toBe('problem');
    expect(r.advice.anchor).toBe('no-dhcp');
    expect(r.advice.text).toMatch(/Stalled: ms02-2: no DHCP request seen for \d+ min/);
    expect(r.advice.text).toContain('`ms02-2` → `02:00:00:00:02:02`'.replace(/`/g, ''));
  });

  it('a failed host: Talos rejected its configuration', async () => {
    current = status([...gatewayUp, { host: 'cp-1', source: 'talos', kind: 'talos.config-error', attrs: { error: 'unknown field' }, min: 6 }], 7);
    const r = await next();
    expect(r.advice.anchor).toBe('config-error');
    expect(r.advice.text).toContain('talosctl validate');
  });

  it('everything done', async () => {
    current = status([...phase3Done, ...vm('cp-2', '02:00:00:00:03:02', 70), ...vm('cp-3', '02:00:00:00:03:03', 70)], 90);
    const r = await next();
    expect(r.advice.kind).toBe('done');
    expect(r.code).toBe(0);
  });
});
