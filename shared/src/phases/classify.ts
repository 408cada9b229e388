import { kindDef, type RemedyId } from '../catalogue/index.js';
import type { StoredEvent } from '../events/index.js';
import type { StageId } from './stages.js';

/** The part of a stored event the phase model reads. */
export type ModelEvent = Pick<StoredEvent, 'seq' | 'host' | 'mac' | 'source' | 'kind' | 'time' | 'received' | 'attrs'>;

export interface Classified {
  stage: StageId;
  /** For failures: the reason in words, and the runbook section that helps. */
  reason?: string;
  remedy?: RemedyId;
}

/**
 * Which stage an event proves, if any, as the catalogue (catalogue/kinds.ts) says. Events that
 * prove nothing (kernel warnings, service state changes, TFTP retries) are still stored and shown
 * in the timeline.
 */
export function classifyEvent(e: Pick<ModelEvent, 'source' | 'kind' | 'attrs'>): Classified | undefined {
  const def = kindDef(e.source, e.kind);
  const proof = def?.proves.find((p) => !p.derived && (!p.when || p.when.test(e)));
  if (!proof) return undefined;
  const c: Classified = { stage: proof.stage };
  if (proof.reason) c.reason = proof.reason(e.attrs);
  if (proof.remedy) c.remedy = proof.remedy;
  return c;
}
