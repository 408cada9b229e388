import { KINDS, REMEDIES, type KindDef, type RemedyId } from '../catalogue/index.js';
import { argoAppCheck, argoCdCheck } from './phases.js';
import { STALL_RULES } from './stalls.js';
import type { StageId } from './stages.js';

export interface RemedyRef {
  /** Runbook section id (`runbook.html#<id>`): every problem the collector shows links to one. */
  id: RemedyId;
  title: string;
  /** Stages whose stall or failure points here (empty for phase checks and unknown machines). */
  stages: StageId[];
  /** What names this remedy: stall rule ids, check ids, failing event kinds, other problem kinds. */
  rules: string[];
}

/**
 * Every remedy status derivation (derive.ts) can put on a problem, once each, with what names
 * it: the stall rules, the failing event kinds of the catalogue, the phase checks, and unknown
 * machines, mismatches and kernel errors. The runbook writes a section for each (and for the runbook-only ones in REMEDIES).
 */
export function listRemedies(): RemedyRef[] {
  const out = new Map<RemedyId, RemedyRef>();
  const add = (id: RemedyId, stage: StageId | undefined, rule: string) => {
    const r = out.get(id) ?? { id, title: REMEDIES[id], stages: [], rules: [] };
    if (stage && !r.stages.includes(stage)) r.stages.push(stage);
    if (!r.rules.includes(rule)) r.rules.push(rule);
    out.set(id, r);
  };
  for (const rule of STALL_RULES) add(rule.remedy, rule.stage, rule.id);
  for (const k of KINDS as readonly KindDef[]) for (const p of k.proves) if (p.remedy) add(p.remedy, p.stage, k.kind);
  // A failed host whose failing kind names no remedy (derive.ts's fallback), and Harvester's
  // FAILED after SUCCEEDED (its reboot step failed).
  add('host-failed', 'failed', 'failed');
  add('harvester-reboot-failed', 'failed', 'install.failed after install.succeeded');
  // Problems that are neither stalls nor failures.
  add('declared-mismatch', undefined, 'mismatch');
  add('kernel-error', undefined, 'kernel-error');
  const cd = argoCdCheck();
  add(cd.remedy, undefined, cd.id);
  const app = argoAppCheck('<app>');
  add(app.remedy, undefined, 'argocd-app-<app>');
  add('unknown-mac', undefined, 'unknown-mac');
  return [...out.values()];
}
