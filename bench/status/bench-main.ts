// Status derivation benchmark body (bundled by run.mjs): folds a whole Genesis trace for N hosts
// into the phase model and computes /v1/status, side by side with a baseline that touches the
// same events and serialises a document of the same size.
import { performance } from 'node:perf_hooks';
import { FactFolder, statusFromFacts, type GenesisPlan, type ModelEvent, type PlanHost } from '@lab/shared';

const N = Number(process.env.HOSTS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/** A lab of N hosts across the four phases, in the proportions of the Genesis lab. */
function plan(n: number): GenesisPlan {
  const hosts: PlanHost[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 7;
    const role = kind === 0 ? 'controlplane' : kind < 4 ? 'harvester' : 'vm';
    const phase = kind === 0 ? 'direct-boot' : kind < 4 ? 'harvester-online' : 'full-platform';
    const path = role === 'harvester' ? ['expected', 'pxe-dhcp', 'pxe-tftp', 'pxe-http', 'installing', 'rebooting', 'healthy'] : role === 'vm' ? ['expected', 'pxe-dhcp', 'pxe-tftp', 'pxe-http', 'booted', 'installing', 'rebooting', 'installed', 'joined', 'healthy'] : ['expected', 'booted', 'installing', 'rebooting', 'installed', 'joined', 'healthy'];
    const mac = `02:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
    hosts.push({ name: `h${i}`, role, phase, path: path as PlanHost['path'], macs: [mac], addresses: [`10.${(i >> 8) & 255}.${i & 255}.10`], ...(role === 'controlplane' ? { installDisk: { size: '>= 256GB', type: 'nvme' } } : {}) } as PlanHost);
  }
  const phases = (['direct-boot', 'single-node-platform', 'harvester-online', 'full-platform'] as const).map((id, k) => ({ id, number: k + 1, title: id, hosts: hosts.filter((h) => h.phase === id).map((h) => h.name), checks: [] }));
  return { hosts, phases };
}

/** Every host's whole bring-up, in the kinds and order its senders emit (test/genesis traces), hosts interleaved. */
function trace(p: GenesisPlan): ModelEvent[] {
  const perHost = p.hosts.map((h) => {
    const out: Omit<ModelEvent, 'seq' | 'time' | 'received'>[] = [];
    const add = (source: ModelEvent['source'], kind: string, attrs: Record<string, unknown> = {}, byMac = false) => out.push(byMac ? { mac: h.macs[0]!, source, kind, attrs } : { host: h.name, source, kind, attrs });
    if (h.path.includes('pxe-dhcp')) for (const k of ['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack', 'tftp.start', 'tftp.done', 'http.fetch', 'http.fetch', 'http.fetch']) add('pxe', k, {}, true);
    if (h.role === 'harvester') {
      add('harvester', 'install.started', { event: 'STARTED' });
      add('harvester', 'install.succeeded', { event: 'SUCCEEDED' });
      add('join', 'join.harvester-not-ready', { node: h.name, addresses: h.addresses, roles: ['control-plane'] });
      add('join', 'join.harvester-ready', { node: h.name, addresses: h.addresses, roles: ['control-plane'] });
    } else {
      for (const boot of ['iso', 'disk']) {
        add('talos', 'talos.sequence', { sequence: 'initialize', action: 'START' });
        add('talos', 'talos.stage', { stage: 'BOOTING', ready: false, unmet: [{ name: 'time', reason: 'time is not in sync yet' }] });
        add('talos', 'talos.address', { hostname: h.name, addresses: [`${h.addresses[0]}/24`] });
        for (let k = 0; k < 12; k++) add('kmsg', 'kmsg', { msg: `line ${k}`, priority: 6 });
        add('talos', 'talos.sequence', { sequence: 'initialize', action: 'STOP' });
        add('talos', 'talos.sequence', { sequence: 'install', action: 'START' });
        if (boot === 'iso') {
          for (const ph of ['env', 'install', 'meta', 'saveMeta', 'volumeFinalize', 'stopEverything', 'kexec', 'reboot']) {
            add('talos', 'talos.phase', { phase: ph, action: 'START' });
            if (ph === 'install') add('talos', 'talos.stage', { stage: 'INSTALLING', ready: true });
            if (ph === 'kexec') add('talos', 'talos.stage', { stage: 'REBOOTING', ready: true });
            if (ph === 'reboot') add('talos', 'talos.restart', { cmd: 0x45584543, how: 'kexec' });
            add('talos', 'talos.phase', { phase: ph, action: 'STOP' });
          }
          add('talos', 'talos.sequence', { sequence: 'install', action: 'STOP' });
          add('talos', 'talos.sequence', { sequence: 'install', action: 'NOOP', errorCode: 'FATAL', reboot: 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)' });
        } else {
          add('talos', 'talos.sequence', { sequence: 'install', action: 'STOP' });
          for (const svc of ['apid', 'etcd', 'kubelet', 'trustd']) {
            add('talos', 'talos.service', { service: svc, action: 'PREPARING' });
            add('talos', 'talos.service', { service: svc, action: 'RUNNING', healthy: true });
          }
          add('talos', 'talos.stage', { stage: 'RUNNING', ready: false, unmet: [{ name: 'nodeReady', reason: 'not ready' }] });
        }
      }
      add('join', 'join.apid-reachable', { version: 'v1.12.0' });
      add('join', 'join.install-disk', { device: '/dev/nvme0n1', size: 512110190592, model: 'm', serial: 's', type: 'nvme' });
      add('join', 'join.talos-services', { services: [{ id: 'etcd', state: 'Running', healthy: true }], unhealthy: [] });
      add('join', 'join.node-not-ready', { node: h.name, addresses: h.addresses, roles: ['control-plane'] });
      add('join', 'join.node-ready', { node: h.name, addresses: h.addresses, roles: ['control-plane'] });
      add('talos', 'talos.stage', { stage: 'RUNNING', ready: true });
    }
    return out;
  });
  const events: ModelEvent[] = [];

  for (let step = 0; ; step++) {
    let any = false;
    for (const list of perHost) {
      const e = list[step];
      if (!e) continue;
      any = true;
      const at = new Date(t0 + events.length * 10).toISOString();
      events.push({ ...e, seq: events.length + 1, time: at, received: at });
    }
    if (!any) break;
  }
  return events;
}

const t0 = Date.parse('2026-01-01T10:00:00Z');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(n: number) {
  const p = plan(n);
  const events = trace(p);
  const fold: number[] = [];
  const foldBase: number[] = [];
  const status: number[] = [];
  const statusBase: number[] = [];
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Baseline fold: the floor of reading each event once (a Map write per event, by host or MAC).
    let t = performance.now();
    const seen = new Map<string, number>();
    for (const e of events) seen.set(e.host ?? e.mac ?? '', e.seq);
    foldBase.push(performance.now() - t);
    t = performance.now();
    const folder = new FactFolder(p);
    for (const e of events) folder.add(e);
    fold.push(performance.now() - t);
    // /v1/status after an event: statusFromFacts + JSON (what the hub computes once per change and the route sends).
    const now = new Date(t0 + events.length * 10 + 60_000).toISOString();
    t = performance.now();
    const s = statusFromFacts(p, folder.facts, { startedAt: new Date(t0).toISOString(), now });
    const text = JSON.stringify(s);
    status.push(performance.now() - t);
    bytes = text.length;
    // Baseline status: serialising an already built document of the same size.
    t = performance.now();
    JSON.stringify(JSON.parse(text));
    statusBase.push(performance.now() - t);
    if (r === 0 && !s.phases.every((ph) => ph.state === 'done')) throw new Error(`trace did not finish every phase: ${s.phases.map((ph) => ph.state).join(',')} ${s.problems.slice(0, 3).map((x) => x.reason).join('; ')}`);
  }
  return { n, events: events.length, fold: median(fold), foldBase: median(foldBase), status: median(status), statusBase: median(statusBase), bytes };
}

// Warm-up: let the JIT compile the fold and the status before anything is timed.
measure(100);
for (const n of [100, N]) {
  const m = measure(n);
  const perEvent = (m.fold * 1e6) / m.events;
  process.stdout.write(
    `${JSON.stringify({ hosts: m.n, events: m.events, foldMs: +m.fold.toFixed(2), nsPerEvent: Math.round(perEvent), baselineNsPerEvent: Math.round((m.foldBase * 1e6) / m.events), foldRatio: +(m.fold / m.foldBase).toFixed(1), statusMs: +m.status.toFixed(2), statusBaselineMs: +m.statusBase.toFixed(2), statusRatio: +(m.status / m.statusBase).toFixed(2), statusBytes: m.bytes })}\n`,
  );
}
