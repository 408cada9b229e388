import type { GenesisStatus, HostStatus, Problem } from '@lab/shared';

/**
 * Plain-text status for `builder status` and `builder watch`: problems first, like the page.
 * Host rows have fixed columns (every lab host is always listed, so widths do not move between
 * redraws); colour only when asked (a terminal without NO_COLOR), and the words say the same.
 */

export interface RenderOptions {
  now?: number;
  source?: string;
  color?: boolean;
}

function ago(iso: string | undefined, now: number): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

const STATE_MARK = { done: '✓', active: '▶', pending: '·', failed: '✗' } as const;
const SGR = { red: '31', yellow: '33', green: '32', magenta: '35', dim: '2', bold: '1' } as const;
type Tone = keyof typeof SGR;

/** What kind of trouble a host is in, in one word the terminal and the tests read. */
export function hostFlag(h: HostStatus): { word: string; tone?: Tone } {
  if (h.problem?.kind === 'failed') return { word: 'FAILED', tone: 'red' };
  if (h.problem?.kind === 'mismatch') return { word: 'MISMATCH', tone: 'magenta' };
  if (h.problem?.kind === 'stalled') return { word: 'STALLED', tone: 'yellow' };
  if (h.silent) return { word: 'silent', tone: 'dim' };
  if (h.done) return { word: 'done', tone: 'green' };
  return { word: '' };
}

function problemTone(p: Problem): Tone {
  return p.kind === 'failed' ? 'red' : p.kind === 'mismatch' ? 'magenta' : 'yellow';
}

const COLS = { stage: 11, flag: 8, time: 7 };

export function renderStatusText(status: GenesisStatus, options: RenderOptions = {}): string {
  const now = options.now ?? Date.parse(status.generatedAt);
  const paint = (tone: Tone | undefined, text: string) => (options.color && tone ? `\x1b[${SGR[tone]}m${text}\x1b[0m` : text);
  const out: string[] = [];
  if (options.source) out.push(options.source, '');
  if (status.demo) out.push(paint('bold', status.demo), '');
  if (status.problems.length > 0) {
    out.push(paint('bold', `PROBLEMS (${status.problems.length})`));
    for (const p of status.problems) {
      const mark = p.kind === 'failed' ? '✗ FAILED ' : p.kind === 'mismatch' ? '≠ MISMATCH ' : p.kind === 'kernel-error' ? '! KERNEL ' : p.kind === 'unknown-mac' ? '? UNKNOWN ' : '⚠ STALLED ';
      out.push(`  ${paint(problemTone(p), mark)}${p.reason}`, `      what to do: runbook.html#${p.remedy} (${p.remedyTitle})`);
    }
    out.push('');
  }
  out.push(paint('bold', 'PHASES'));
  for (const p of status.phases) {
    const tone: Tone | undefined = p.state === 'done' ? 'green' : p.state === 'failed' ? 'red' : undefined;
    out.push(`  ${paint(tone, `${STATE_MARK[p.state]} ${p.number}. ${p.title.padEnd(22)} ${p.state.padEnd(8)}`)} ${String(p.progress.done).padStart(2)}/${p.progress.total}`);
    if (p.state !== 'pending' && p.state !== 'done') for (const b of p.blockers.slice(0, 5)) out.push(`       - ${b}`);
  }
  const width = Math.max(4, ...status.hosts.map((h) => h.name.length));
  out.push('', paint('bold', 'HOSTS'), `  ${'HOST'.padEnd(width)}  ${'STAGE'.padEnd(COLS.stage)}  ${'STATE'.padEnd(COLS.flag)}  ${'IN STAGE'.padEnd(COLS.time)}  ${'ETA'.padEnd(COLS.time)}  ${'HEARD'.padEnd(COLS.time)}  WHY`);
  for (const h of status.hosts) {
    const flag = hostFlag(h);
    const eta = h.etaMinutes === undefined ? '-' : `~${h.etaMinutes}m`;
    const why = h.problem?.reason.replace(`${h.name}: `, '') ?? (h.unmet ? h.unmet.map((u) => u.reason).join('; ') : h.waitingBootstrap ? 'etcd waits for Bootstrap (builder bootstrap)' : '');
    const cols = [h.name.padEnd(width), h.stageTitle.padEnd(COLS.stage).slice(0, COLS.stage), paint(flag.tone, flag.word.padEnd(COLS.flag)), (h.since ? ago(h.since, now) : '-').padEnd(COLS.time), eta.padEnd(COLS.time), (h.lastSeen ? ago(h.lastSeen, now) : 'never').padEnd(COLS.time), why];
    out.push(`  ${cols.join('  ')}`.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
