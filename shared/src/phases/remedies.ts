import { argoAppCheck, argoCdCheck } from './phases.js';
import { FAILURE_REMEDIES, PROBLEM_REMEDIES, STALL_RULES } from './stalls.js';
import type { StageId } from './stages.js';

export interface RemedyRef {
  /** Runbook section id (`runbook.html#<id>`): every problem the collector shows links to one. */
  id: string;
  title: string;
  /** Stages whose stall or failure points here (empty for phase checks). */
  stages: StageId[];
  /** Stall rule or check ids that name this remedy. */
  rules: string[];
}

/** Every remedy id the collector can link to, once each: the runbook writes a section per entry. */
export function listRemedies(): RemedyRef[] {
  const out = new Map<string, RemedyRef>();
  const add = (id: string, title: string, stage: StageId | undefined, rule: string) => {
    const r = out.get(id) ?? { id, title, stages: [], rules: [] };
    if (stage && !r.stages.includes(stage)) r.stages.push(stage);
    if (!r.rules.includes(rule)) r.rules.push(rule);
    out.set(id, r);
  };
  for (const rule of STALL_RULES) add(rule.remedy, rule.remedyTitle, rule.stage, rule.id);
  for (const [key, f] of Object.entries(FAILURE_REMEDIES)) add(f.remedy, f.remedyTitle, 'failed', `failed-${key}`);
  for (const [key, f] of Object.entries(PROBLEM_REMEDIES)) add(f.remedy, f.remedyTitle, undefined, key);
  const cd = argoCdCheck();
  add(cd.remedy, cd.remedyTitle, undefined, cd.id);
  const app = argoAppCheck('<app>');
  add(app.remedy, app.remedyTitle, undefined, 'argocd-app-<app>');
  add('unknown-mac', 'An unknown machine PXE boots', undefined, 'unknown-mac');
  return [...out.values()];
}
