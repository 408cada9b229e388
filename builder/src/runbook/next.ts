import { stageRank, type GenesisStatus } from '@lab/shared';
import type { Block, Chapter, DoneWhen, Runbook, Step } from './model.js';

/** What `builder next` says, decided purely from the runbook and the collector's status. */
export interface NextAdvice {
  kind: 'no-collector' | 'problem' | 'step' | 'waiting' | 'done';
  /** The runbook anchor to open. */
  anchor: string;
  text: string;
}

const plain = (s: string) => s.replace(/`([^`]*)`/g, '$1').replace(/\[([^\]]+)\]\(#[^)]+\)/g, '$1');

function blockText(b: Block): string[] {
  switch (b.type) {
    case 'p':
    case 'note':
      return [`  ${plain(b.text)}`];
    case 'list':
      return b.items.map((i, n) => `  ${b.ordered ? `${n + 1}.` : '-'} ${plain(i)}`);
    case 'checks':
      return ['  check:', ...b.items.map((i) => `    [ ] ${plain(i)}`)];
    case 'commands':
      return [`  on the ${b.where}:`, ...b.lines.map((l) => `    $ ${l}`)];
    case 'prompts':
      return [`  ${b.title}:`, ...b.rows.map((r) => `    ${r.prompt} → ${plain(r.answer)}`)];
    case 'table':
      return [`  ${b.head.join(' | ')}`, ...b.rows.map((r) => `  ${r.map(plain).join(' | ')}`)];
    case 'proof':
      return [`  done when the collector sees: ${[...new Set(b.items.map((i) => `${i.kind} (${i.source})`))].join(', ')}`];
  }
}

function conditionMet(c: DoneWhen, s: GenesisStatus): boolean | undefined {
  if ('never' in c) return undefined;
  if ('check' in c) return s.phases.some((p) => p.checks.some((k) => k.id === c.check && k.met));
  const h = s.hosts.find((x) => x.name === c.host);
  if (!h) return false;
  return h.done || (h.stage !== 'failed' && stageRank(h.stage) >= stageRank(c.stage));
}

/** true done, false not done, undefined when the collector cannot observe it. */
export function stepDone(step: Step, s: GenesisStatus): boolean | undefined {
  const results = step.doneWhen.map((c) => conditionMet(c, s));
  if (results.every((r) => r === undefined)) return undefined;
  return results.every((r) => r !== false);
}

function stepText(ch: Chapter, step: Step, manual: Step[]): string {
  const n = ch.steps.indexOf(step) + 1;
  const lines = [`Next: ${ch.title} — step ${ch.phase ?? ''}.${n}: ${plain(step.title)}`, `  why: ${plain(step.purpose)}`];
  for (const m of manual) lines.push(`  first, if not done yet: step ${ch.phase ?? ''}.${ch.steps.indexOf(m) + 1} ${plain(m.title)} (runbook.html#${m.id})`);
  for (const b of step.blocks) lines.push(...blockText(b));
  if (step.stalls.length > 0) lines.push(`  if it stalls: ${step.stalls.map((id) => `runbook.html#${id}`).join(', ')}`);
  lines.push(`  runbook: runbook.html#${step.id}`);
  return `${lines.join('\n')}\n`;
}

export function nextStep(r: Runbook, status: GenesisStatus | undefined, collectorUrl: string): NextAdvice {
  const phases = r.chapters.filter((c) => c.phase !== undefined);
  if (!status) {
    const first = phases[0];
    return {
      kind: 'no-collector',
      anchor: 'preflight',
      text:
        `Cannot see the bring-up: no collector answers at ${collectorUrl}, so the state of ${first ? `${first.title} (and every phase after it)` : 'the phases'} is unknown.\n` +
        `  Hosts report only to the collector: start it with \`builder collect\` (runbook.html#collector), then run \`builder next\` again.\n` +
        `  If nothing is powered on yet, begin with the pre-flight chapter: runbook.html#preflight\n`,
    };
  }
  const problem = status.problems[0];
  if (problem) {
    const section = r.chapters.flatMap((c) => c.sections).find((s) => s.id === problem.remedy || (s.aliases ?? []).includes(problem.remedy));
    const lines = [`Stalled: ${problem.reason}`, `  what to do: ${problem.remedyTitle} (runbook.html#${problem.remedy})`];
    if (section) for (const b of section.blocks) lines.push(...blockText(b));
    if (status.problems.length > 1) lines.push(`  (${status.problems.length - 1} more problem${status.problems.length > 2 ? 's' : ''}: \`builder status\` lists them)`);
    return { kind: 'problem', anchor: problem.remedy, text: `${lines.join('\n')}\n` };
  }
  for (const ch of phases) {
    const ps = status.phases.find((p) => p.id === ch.id);
    if (ps?.state === 'done') continue;
    const manual: Step[] = [];
    for (const step of ch.steps) {
      const done = stepDone(step, status);
      if (done === undefined) {
        manual.push(step);
        continue;
      }
      if (done) {
        manual.length = 0;
        continue;
      }
      return { kind: 'step', anchor: step.id, text: stepText(ch, step, manual) };
    }
    const blockers = ps?.blockers ?? [];
    return {
      kind: 'waiting',
      anchor: ch.id,
      text: `${ch.title}: every step is done; waiting for ${blockers.length > 0 ? blockers.join('; ') : 'the phase to complete'} (runbook.html#${ch.id})\n`,
    };
  }
  return { kind: 'done', anchor: 'recovery', text: 'Every phase is done: the lab is up. Recovery steps, if you need them: runbook.html#recovery\n' };
}
