import type { RemedyId } from '../catalogue/index.js';
import type { StageId } from './stages.js';

/**
 * When a host stays in a stage too long, a stall rule says why in words and names a remedy.
 * Rule ids and remedy keys are stable: the runbook has a section `#<remedy>` for each.
 */
export interface StallRule {
  id: string;
  /** The stage the host is stuck in. */
  stage: StageId;
  /** Only when the host's next stage on its path is this one (several rules share a stage). */
  next?: StageId;
  /** Default threshold in minutes. */
  minutes: number;
  /** What did not happen, completed as "<host>: <missing> for <N> min". */
  missing: string;
  /** Runbook section id with what to check and do (its title is in REMEDIES). */
  remedy: RemedyId;
}

export const STALL_RULES: readonly StallRule[] = [
  { id: 'stall-expected-dhcp', stage: 'expected', next: 'pxe-dhcp', minutes: 10, missing: 'no DHCP request seen', remedy: 'no-dhcp' },
  { id: 'stall-expected-boot', stage: 'expected', minutes: 10, missing: 'no boot report received', remedy: 'no-boot' },
  { id: 'stall-pxe-dhcp', stage: 'pxe-dhcp', minutes: 5, missing: 'got a DHCP answer but no TFTP transfer started', remedy: 'no-tftp' },
  { id: 'stall-pxe-tftp', stage: 'pxe-tftp', minutes: 5, missing: 'loaded iPXE but fetched nothing over HTTP', remedy: 'no-http' },
  { id: 'stall-pxe-http', stage: 'pxe-http', minutes: 15, missing: 'fetched its boot files but reported no boot or install', remedy: 'install-not-started' },
  { id: 'stall-booted', stage: 'booted', next: 'installing', minutes: 15, missing: 'booted but no install started', remedy: 'install-not-started' },
  { id: 'stall-installing', stage: 'installing', minutes: 45, missing: 'install started but did not finish', remedy: 'install-slow' },
  { id: 'stall-rebooting', stage: 'rebooting', minutes: 10, missing: 'wrote its disk and rebooted but does not run from it', remedy: 'not-back-from-reboot' },
  { id: 'stall-installed', stage: 'installed', minutes: 20, missing: 'installed but has not joined its cluster', remedy: 'not-joined' },
  { id: 'stall-joined', stage: 'joined', minutes: 20, missing: 'joined but not healthy', remedy: 'not-healthy' },
];

/** Typical minutes a host spends in each stage (for the estimate of time left; not a threshold). */
export const TYPICAL_STAGE_MINUTES: Partial<Record<StageId, number>> = {
  expected: 3,
  'pxe-dhcp': 1,
  'pxe-tftp': 1,
  'pxe-http': 2,
  booted: 2,
  installing: 10,
  rebooting: 2,
  installed: 5,
  joined: 3,
};

/** Minutes left on `path` from `stage`, having spent `inStage` minutes in it. */
export function typicalMinutes(path: readonly StageId[], stage: StageId, inStage: number): number | undefined {
  const at = path.indexOf(stage);
  if (at < 0) return undefined;
  let left = Math.max(0, (TYPICAL_STAGE_MINUTES[stage] ?? 0) - inStage);
  for (const s of path.slice(at + 1, -1)) left += TYPICAL_STAGE_MINUTES[s] ?? 0;
  return Math.round(left);
}

/** Minutes of quiet after which a host that is not done is shown as silent. */
export const SILENT_AFTER_MINUTES = 5;

export function stallRuleFor(stage: StageId, next: StageId | undefined): StallRule | undefined {
  return STALL_RULES.find((r) => r.stage === stage && (r.next === undefined || r.next === next));
}

export function stallReason(host: string, rule: StallRule, minutes: number): string {
  return `${host}: ${rule.missing} for ${Math.floor(minutes)} min`;
}
