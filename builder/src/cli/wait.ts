import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext, localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { fetchStatus } from '../collector/client.js';
import { waitVerdict } from '../collector/views/wait-verdict.js';

/** `90s`, `10m`, `1h30m` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export const waitCommand: Command = {
  name: 'wait',
  help: `Usage: builder wait [--phase N] [--timeout D] [--lab FILE] [--state DIR] [--collector URL] [--json]

Waits until phase N (default: every phase) is done, as the collector sees it, then exits 0.
Exits 1 at once when a host of that phase failed or is not what the lab declares, and after
--timeout without it done. Prints a line each time the phase's blockers change. A collector
that restarts meanwhile is waited for.

  --phase N         1 to 4 (default: all)
  --timeout D       like 90s, 20m, 1h30m (default 2h)
  --json            print each change as a JSON line {kind, line}
  --poll-ms N       how often to ask the collector (default 2000)
  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the lab's state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: from the lab's collector.listen, on this machine)

Exit codes: 0 done, 1 failed or timed out, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('wait', argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' }, phase: { type: 'string' }, timeout: { type: 'string' }, 'poll-ms': { type: 'string' } });
    const phase = values.phase === undefined ? undefined : Number(values.phase);
    if (phase !== undefined && (!Number.isInteger(phase) || phase < 1 || phase > 4)) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--phase: "${values.phase}" is not 1, 2, 3 or 4`, 'name a Genesis phase by its number');
    const timeoutMs = values.timeout === undefined ? 2 * 3600_000 : parseDuration(values.timeout);
    if (timeoutMs === undefined) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--timeout: "${values.timeout}" is not a duration`, 'write it like 90s, 20m or 1h30m');
    const pollMs = values['poll-ms'] === undefined ? 2000 : Number(values['poll-ms']);
    const ctx = await collectorContext(values, io.cwd);
    const token = await readCollectorToken(ctx.paths);
    // --url is the old name of --collector, kept as a hidden alias.
    const url = values.collector ?? values.url ?? localUrl(ctx.lab.collector.listen);
    const deadline = Date.now() + timeoutMs;
    let said = '';
    let answered = false;
    for (;;) {
      const status = await fetchStatus(url, token);
      if (status) {
        answered = true;
        const v = waitVerdict(status, phase);
        if (v.line !== said) {
          io.out(values.json ? `${JSON.stringify(v)}\n` : `${v.line}\n`);
          said = v.line;
        }
        if (v.kind === 'done') return EXIT.ok;
        if (v.kind === 'failed') return EXIT.failed;
      }
      if (Date.now() >= deadline) {
        if (!answered) throw new UserError('ERR_COLLECTOR_UNREACHABLE', `no collector answered at ${url} within ${values.timeout ?? '2h'}`, 'start it with `builder collect`, or pass --collector URL');
        const line = `wait: timed out after ${values.timeout ?? '2h'}: ${said}`;
        io.out(values.json ? `${JSON.stringify({ kind: 'timeout', line })}\n` : `${line}\n`);
        return EXIT.failed;
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
  },
};
