import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AgentConfigSchema, checkLabRules, type StoredEvent } from '@lab/shared';
import { PxeMarkTracker } from '../../src/collector/pxe-marks/index.js';
import { pxeMarksFromLab } from '../../src/collector/pxe-marks/from-lab.js';
import { gatewayAgentYaml } from '../../src/gateway-stick/index.js';
import { exampleLab } from '../../../test/join/lab-credentials.js';

/** The tracker's reading of event sequences (pure); talos-marks.test.ts runs it with the real collector and agent. */
let seq = 0;
const ev = (source: StoredEvent['source'], kind: string, attrs: Record<string, unknown> = {}, who: { host?: string; mac?: string } = { host: 'cp-2' }): StoredEvent => ({ id: `e${++seq}`, ...who, source, kind, time: '2026-01-01T00:00:00Z', received: '2026-01-01T00:00:00Z', seq, attrs });
const CP2 = { name: 'cp-2', mac: '02:00:00:00:03:02' };
const MS = { name: 'ms02-1', mac: '02:00:00:00:02:01' };
const tracker = () => new PxeMarkTracker([CP2, MS], 'gateway');
const run = (t: PxeMarkTracker, events: StoredEvent[]) => events.flatMap((e) => t.observe(e)).map((m) => `${m.host}:${m.source}`);

describe('PxeMarkTracker', () => {
  it('a Talos install (INSTALLING, then the kexec reboot) asks for one mark, sourced talos', () => {
    const t = tracker();
    expect(run(t, [ev('talos', 'talos.stage', { stage: 'BOOTING' }), ev('talos', 'talos.stage', { stage: 'INSTALLING' }), ev('talos', 'talos.stage', { stage: 'REBOOTING' }), ev('talos', 'talos.restart', { how: 'kexec' }), ev('talos', 'talos.stage', { stage: 'RUNNING' })])).toEqual(['cp-2:talos']);
  });

  it('a plain reboot of a node never seen installing is no install; RUNNING seen alone is (a late collector)', () => {
    expect(run(tracker(), [ev('talos', 'talos.stage', { stage: 'REBOOTING' })])).toEqual([]);
    expect(run(tracker(), [ev('talos', 'talos.stage', { stage: 'RUNNING' })])).toEqual(['cp-2:talos']);
  });

  it('Harvester STARTED then SUCCEEDED is an install; nothing is sent when the agent already reported the mark', () => {
    const h = { host: 'ms02-1' };
    expect(run(tracker(), [ev('harvester', 'install.started', {}, h), ev('harvester', 'install.succeeded', {}, h)])).toEqual(['ms02-1:harvester']);
    const t = tracker();
    expect(run(t, [ev('harvester', 'install.started', {}, h), ev('pxe', 'pxe.installed', { source: 'harvester' }, { mac: MS.mac }), ev('harvester', 'install.succeeded', {}, h)])).toEqual([]);
    // The agent restarted (its host's boot event): what it held is sent again.
    expect(run(t, [ev('agent', 'boot', {}, { host: 'gateway' })])).toEqual(['ms02-1:harvester']);
    // Another host's boot is not the agent's.
    expect(run(t, [ev('agent', 'boot', {}, { host: 'cp-1' })])).toEqual([]);
  });

  it('after a re-arm, RUNNING does not mark again; a new install does', () => {
    const t = tracker();
    run(t, [ev('talos', 'talos.stage', { stage: 'RUNNING' }), ev('pxe', 'pxe.installed', { source: 'talos' }, { mac: CP2.mac })]);
    expect(run(t, [ev('pxe', 'pxe.rearmed', { source: 'rearm' }, { mac: CP2.mac }), ev('talos', 'talos.stage', { stage: 'RUNNING', ready: true })])).toEqual([]);
    expect(t.pending()).toEqual([]);
    expect(run(t, [ev('agent', 'boot', {}, { host: 'gateway' })])).toEqual([]);
    expect(run(t, [ev('talos', 'talos.stage', { stage: 'INSTALLING' }), ev('talos', 'talos.sequence', { sequence: 'install', reboot: 'unix.Reboot(45584543)' })])).toEqual(['cp-2:talos']);
  });

  it('a pxe.reinstall host is re-armed whenever the agent’s record is unknown or it reports a mark for it', () => {
    const CP3 = { name: 'cp-3', mac: '02:00:00:00:03:03' };
    const t = new PxeMarkTracker([CP2], 'gateway', [CP3]);
    expect(t.pending().map((m) => `${m.action} ${m.host}`)).toEqual(['rearm cp-3']);
    expect(t.observe(ev('pxe', 'pxe.installed', { source: 'harvester' }, { mac: CP3.mac })).map((m) => m.action)).toEqual(['rearm']);
    expect(t.observe(ev('agent', 'boot', {}, { host: 'gateway' })).map((m) => `${m.action} ${m.host}`)).toEqual(['rearm cp-3']);
    // Its own install never asks for a mark.
    expect(run(t, [ev('talos', 'talos.stage', { stage: 'RUNNING' }, { host: 'cp-3' })])).toEqual([]);
  });

  it('ignores its own events and hosts it does not track', () => {
    expect(run(tracker(), [ev('builder', 'pxe.mark-sent'), ev('talos', 'talos.stage', { stage: 'RUNNING' }, { host: 'cp-1' })])).toEqual([]);
  });
});

describe('the lab switch hosts[].pxe.reinstall', () => {
  it('reaches the gateway agent as hosts[].reinstall, and the collector does not mark that host', () => {
    const lab = exampleLab();
    lab.hosts.find((h) => h.name === 'cp-2')!.pxe = { reinstall: true };
    const cfg = AgentConfigSchema.parse(parse(gatewayAgentYaml(lab, 't'.repeat(32))));
    expect(cfg.pxe!.hosts.find((h) => h.name === 'cp-2')?.reinstall).toBe(true);
    expect(cfg.pxe!.hosts.find((h) => h.name === 'cp-3')?.reinstall).toBe(false);
    expect(pxeMarksFromLab(lab, 't'.repeat(32))?.hosts.map((h) => h.name)).not.toContain('cp-2');
  });

  it('is refused on a host that does not boot by PXE, naming the field and the fix', () => {
    const lab = exampleLab();
    const i = lab.hosts.findIndex((h) => h.name === 'cp-1');
    lab.hosts[i]!.pxe = { reinstall: true };
    const p = checkLabRules(lab).find((x) => x.path.join('.') === `hosts.${i}.pxe.reinstall`);
    expect(p?.message).toContain('boots from usb');
    expect(p?.fix).toContain('remove pxe.reinstall');
  });
});
