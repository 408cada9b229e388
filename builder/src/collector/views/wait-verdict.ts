import type { GenesisStatus } from '@lab/shared';

export interface WaitVerdict {
  kind: 'done' | 'failed' | 'waiting';
  line: string;
}

/** What `builder wait` says of a status, for one phase (its number) or all. Pure. */
export function waitVerdict(s: GenesisStatus, phase?: number): WaitVerdict {
  const phases = phase === undefined ? s.phases : s.phases.filter((p) => p.number === phase);
  const label = phase === undefined ? 'every phase' : `phase ${phase} (${phases[0]?.title ?? '?'})`;
  const hosts = new Set(phases.flatMap((p) => p.hosts.map((h) => h.name)));
  const fatal = s.problems.filter((p) => (p.kind === 'failed' || p.kind === 'mismatch') && p.host !== undefined && hosts.has(p.host));
  if (fatal.length > 0) return { kind: 'failed', line: `wait: ${label} cannot finish: ${fatal.map((p) => `${p.reason} (runbook.html#${p.remedy})`).join('; ')}` };
  if (phases.every((p) => p.state === 'done')) return { kind: 'done', line: `wait: ${label} done` };
  const blockers = phases.flatMap((p) => p.blockers);
  return { kind: 'waiting', line: `wait: ${label}: ${blockers.slice(0, 4).join('; ')}${blockers.length > 4 ? ` (+${blockers.length - 4} more)` : ''}` };
}
