import type { GenesisStatus } from '@lab/shared';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { collectorContext, localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { followStream } from '../collector/client.js';
import { renderStatusText } from '../collector/views/terminal.js';

export const watchCommand: Command = {
  name: 'watch',
  help: `Usage: builder watch [--lab FILE] [--state DIR] [--collector URL] [--json]

Follows the running collector's live stream (GET /v1/stream) and redraws the same view as
\`builder status\` on every change. When the collector stops or restarts, it keeps the last view,
says so, and reconnects by itself. Failed, stalled and mismatched hosts are marked in words
(FAILED, STALLED, MISMATCH) and, on a terminal, in colour (set NO_COLOR to turn colour off).
Ctrl-C stops.

  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the lab's state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: from the lab's collector.listen, on this machine)
  --json            print each status as one JSON line (GET /v1/status's document)

Exit codes: 0 stopped by Ctrl-C, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('watch', argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } });
    const ctx = await collectorContext(values, io.cwd);
    const token = await readCollectorToken(ctx.paths);
    // --url is the old name of --collector, kept as a hidden alias.
    const url = values.collector ?? values.url ?? localUrl(ctx.lab.collector.listen);
    const color = io.isTTY && !io.env.NO_COLOR;
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let last: GenesisStatus | undefined;
    const draw = (note: string) => {
      if (io.isTTY) io.out('\x1b[H\x1b[2J');
      if (last) io.out(renderStatusText(last, { source: note, now: Date.now(), color }));
      else io.out(`${note}\n`);
      if (!io.isTTY) io.out('\n');
    };
    try {
      let attempt = 0;
      while (!abort.signal.aborted) {
        try {
          await followStream(url, token, (status) => {
            attempt = 0;
            last = status;
            if (values.json) return io.out(`${JSON.stringify(status)}\n`);
            draw(`live from ${url} — Ctrl-C stops`);
          }, abort.signal);
        } catch (err) {
          if (abort.signal.aborted) break;
          const note = `the collector at ${url} is not answering (${(err as Error).message}); reconnecting…${last ? ' (last known view below)' : ''}`;
          if (attempt === 0 && !values.json) draw(note);
        }
        if (abort.signal.aborted) break;
        // The stream ended (collector stopped) or never opened: back off up to 5 s, then try again.
        attempt += 1;
        if (attempt === 1 && last && !values.json) draw(`the collector at ${url} went away; reconnecting… (last known view below)`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
          abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return EXIT.ok;
  },
};
