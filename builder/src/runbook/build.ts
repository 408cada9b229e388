import type { Lab } from '@lab/shared';
import type { Block, Chapter, Runbook } from './model.js';
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
  /**
   * Rewrites each `builder …` command the runbook names (a command line, or inline text with
   * backquoted commands) to carry the operator's --lab/--state; the CLI supplies it.
   */
  commands?: { line(line: string): string; text(text: string): string };
}

/** Applies the command rewriter to every text of every block. */
function carryBlock(b: Block, f: NonNullable<BuildOptions['commands']>): Block {
  switch (b.type) {
    case 'p':
    case 'note':
      return { ...b, text: f.text(b.text) };
    case 'list':
    case 'checks':
      return { ...b, items: b.items.map(f.text) };
    case 'commands':
      return { ...b, lines: b.lines.map(f.line) };
    case 'prompts':
      return { ...b, rows: b.rows.map((r) => ({ ...r, answer: f.text(r.answer) })) };
    case 'table':
      return { ...b, rows: b.rows.map((r) => r.map(f.text)) };
    case 'proof':
      return b;
  }
}

function carryChapter(ch: Chapter, f: NonNullable<BuildOptions['commands']>): Chapter {
  const blocks = (bs: Block[]) => bs.map((b) => carryBlock(b, f));
  return {
    ...ch,
    intro: blocks(ch.intro),
    steps: ch.steps.map((s) => ({ ...s, purpose: f.text(s.purpose), blocks: blocks(s.blocks) })),
    sections: ch.sections.map((s) => ({ ...s, blocks: blocks(s.blocks) })),
  };
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
    chapters: [overviewChapter(c), preflightChapter(c), ...phaseChapters(c), stallsChapter(c), stagesChapter(), recoveryChapter(c)].map((ch) => (o.commands ? carryChapter(ch, o.commands) : ch)),
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
