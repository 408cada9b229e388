import type { Lab } from '@lab/shared';
import type { Runbook } from './model.js';
import { runbookContext } from './facts.js';
import { overviewChapter } from './cover.js';
import { preflightChapter } from './preflight.js';
import { phaseChapters } from './phases.js';
import { stagesChapter, stallsChapter } from './remedies.js';
import { recoveryChapter } from './recovery.js';

export interface BuildOptions {
  /** The lab file as the operator names it in commands. */
  labArg: string;
  /** The state directory as the operator names it. */
  stateDir: string;
}

/** The whole runbook for a lab. Pure: same lab, same runbook. */
export function buildRunbook(lab: Lab, o: BuildOptions): Runbook {
  const c = runbookContext(lab, o);
  return {
    title: `${lab.site.name} — bring-up runbook`,
    subtitle: `${lab.site.domain} · ${lab.hosts.length} hosts · ${lab.networks.length} networks · generated from ${o.labArg}`,
    cover: [
      { label: 'Lab file', value: `\`${o.labArg}\`` },
      { label: 'Collector', value: `\`${lab.collector.url}\`` },
      ...(c.gatewayMgmt ? [{ label: 'Gateway', value: `\`${c.gatewayMgmt}\` (VyOS ${lab.gateway?.vyos.release ?? ''})` }] : []),
      ...(lab.clusters.platform ? [{ label: 'Platform API', value: `\`${lab.clusters.platform.endpoint}\`` }] : []),
      ...(lab.clusters.harvester ? [{ label: 'Harvester VIP', value: `\`${lab.clusters.harvester.vip}\`` }] : []),
      ...(lab.pxe ? [{ label: 'PXE service', value: `\`${lab.pxe.address}\`` }] : []),
    ],
    chapters: [overviewChapter(c), preflightChapter(c), ...phaseChapters(c), stallsChapter(c), stagesChapter(), recoveryChapter(c)],
  };
}

/** Every anchor of the runbook (chapters, steps, sections, aliases), in document order. */
export function anchors(r: Runbook): string[] {
  const out: string[] = [];
  for (const ch of r.chapters) {
    out.push(ch.id);
    for (const s of ch.steps) out.push(s.id, ...(s.aliases ?? []));
    for (const s of ch.sections) out.push(s.id, ...(s.aliases ?? []));
  }
  return out;
}
