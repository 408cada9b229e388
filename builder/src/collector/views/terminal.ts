import type { GenesisStatus, HostStatus } from '@lab/shared';

/** Plain-text status for `builder status` and `builder watch`: problems first, like the page. */

function ago(iso: string | undefined, now: number): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

const STATE_MARK = { done: '✓', active: '▶', pending: '·', failed: '✗' } as const;

function hostLine(h: HostStatus, now: number, width: number): string {
  const stage = h.silent ? `${h.stageTitle} (last known, silent ${ago(h.lastSeen, now)})` : h.stageTitle;
  const since = h.since ? `in stage ${ago(h.since, now)}` : 'phase not started';
  const heard = h.lastSeen ? `heard ${ago(h.lastSeen, now)} ago` : 'never heard';
  const cols = [h.name.padEnd(width), stage.padEnd(20), since.padEnd(18), heard];
  return `  ${cols.join('  ')}`.trimEnd();
}

export function renderStatusText(status: GenesisStatus, options: { now?: number; source?: string } = {}): string {
  const now = options.now ?? Date.parse(status.generatedAt);
  const out: string[] = [];
  if (options.source) out.push(options.source, '');
  if (status.problems.length > 0) {
    out.push(`PROBLEMS (${status.problems.length})`);
    for (const p of status.problems) out.push(`  ✗ ${p.reason}`, `      what to do: runbook.html#${p.remedy} (${p.remedyTitle})`);
    out.push('');
  }
  out.push('PHASES');
  for (const p of status.phases) {
    out.push(`  ${STATE_MARK[p.state]} ${p.number}. ${p.title.padEnd(22)} ${p.state.padEnd(8)} ${p.progress.done}/${p.progress.total}`);
    if (p.state !== 'pending' && p.state !== 'done') for (const b of p.blockers.slice(0, 5)) out.push(`       - ${b}`);
  }
  out.push('', 'HOSTS');
  const width = Math.max(4, ...status.hosts.map((h) => h.name.length));
  // Grouped by stage in the order hosts arrive (problems first), like `clusterctl describe`.
  const groups = new Map<string, HostStatus[]>();
  for (const h of status.hosts) {
    const g = h.problem ? 'Needs attention' : h.stageTitle;
    groups.set(g, [...(groups.get(g) ?? []), h]);
  }
  for (const [g, hosts] of groups) {
    out.push(` ${g}:`);
    for (const h of hosts) out.push(hostLine(h, now, width));
  }
  return `${out.join('\n')}\n`;
}
