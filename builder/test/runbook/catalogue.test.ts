// The event catalogue and the runbook: every remedy status derivation can put on a problem has
// a section in the generated runbook. The problems are derived from real events (one per failing
// kind of the catalogue, an unknown MAC, stalls with zero thresholds), not from the list alone.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KINDS, REMEDY_IDS, STAGES, deriveStatus, listRemedies, parseLab, planFromLab, type KindDef, type Lab, type ModelEvent } from '@lab/shared';
import { anchors, buildRunbook, renderHtml } from '../../src/runbook/index.js';

async function exampleLab(): Promise<Lab> {
  const r = parseLab(await readFile('examples/genesis/lab.yaml', 'utf8'), 'lab.yaml');
  if (!r.ok) throw new Error('example lab invalid');
  return r.lab;
}

const T0 = '2026-01-01T10:00:00.000Z';
const LATER = '2026-01-02T10:00:00.000Z';

describe('event catalogue → remedies → runbook sections', () => {
  it('every remedy status derivation emits resolves to a section of the generated runbook', async () => {
    const lab = await exampleLab();
    const plan = planFromLab(lab);
    const hosts = plan.hosts.map((h) => h.name);
    const events: ModelEvent[] = [];
    let seq = 0;
    const add = (e: Omit<ModelEvent, 'seq' | 'time' | 'received'>) => events.push({ ...e, seq: ++seq, time: T0, received: T0 });
    // One host per failing proof of the catalogue, with attributes that make the proof hold.
    const failing = (KINDS as readonly KindDef[]).flatMap((k) => k.proves.filter((p) => p.stage === 'failed').map(() => k));
    // Hosts from the end of the list fail, so the first phase's hosts are left to stall.
    failing.forEach((k, i) => add({ host: hosts[hosts.length - 1 - i]!, source: k.sources[0]!, kind: k.kind, attrs: { error: 'boom', message: 'boom', sequence: 'install' } }));
    add({ mac: '02:00:00:00:99:99', source: 'pxe', kind: 'dhcp.discover', attrs: {} });
    const thresholds = Object.fromEntries([...plan.phases.flatMap((p) => p.checks.map((c) => c.id))].map((id) => [id, 0]));
    const status = deriveStatus(plan, events, { startedAt: T0, now: LATER, thresholds });
    const emitted = new Set(status.problems.map((p) => p.remedy));
    // Failures, an unknown machine and stalls all showed up.
    expect(status.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['failed', 'stalled', 'unknown-mac']));
    expect(emitted).toContain('unknown-mac');
    for (const k of failing) for (const p of k.proves) if (p.remedy) expect(emitted).toContain(p.remedy);

    const known = new Set(listRemedies().map((r) => r.id));
    expect([...emitted].filter((id) => !known.has(id))).toEqual([]);

    const runbook = buildRunbook(lab, { labArg: 'lab.yaml', stateDir: 'state' });
    const ids = new Set(anchors(runbook));
    const html = renderHtml(runbook);
    const missing = [...new Set([...emitted, ...known, ...REMEDY_IDS])].filter((id) => !ids.has(id) || !html.includes(`id="${id}"`));
    expect(missing).toEqual([]);
  });

  it('the stage table is the catalogue: each proof of a kind is a row of its stage', () => {
    for (const k of KINDS as readonly KindDef[]) {
      for (const p of k.proves) {
        const rows = STAGES.find((s) => s.id === p.stage)!.provenBy;
        for (const source of p.sources ?? k.sources) expect(rows).toContainEqual(expect.objectContaining({ source, kind: k.kind }));
      }
    }
    // dhcp.offer proves the DHCP stage in classification and now in the table too.
    expect(STAGES.find((s) => s.id === 'pxe-dhcp')!.provenBy.map((p) => p.kind)).toContain('dhcp.offer');
  });
});
