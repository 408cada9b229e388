import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext, localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { followStream } from '../collector/client.js';
import { renderStatusText } from '../collector/views/terminal.js';

export const watchCommand: Command = {
  name: 'watch',
  help: `Usage: builder watch [--lab FILE] [--state DIR] [--collector URL] [--json]

Follows the running collector's live stream (GET /v1/stream) and redraws the same view as
\`builder status\` on every change. Ctrl-C stops.

  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the lab's state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: from the lab's collector.listen, on this machine)
  --json            print each status as one JSON line (GET /v1/status's document)

Exit codes: 0 stopped, 1 no collector answers, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('watch', argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } });
    const ctx = await collectorContext(values, io.cwd);
    const token = await readCollectorToken(ctx.paths);
    // --url is the old name of --collector, kept as a hidden alias.
    const url = values.collector ?? values.url ?? localUrl(ctx.lab.collector.listen);
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await followStream(url, token, (status) => {
        if (values.json) return io.out(`${JSON.stringify(status)}\n`);
        // Clear and redraw on a terminal; append when piped (a log of every change).
        if (io.isTTY) io.out('\x1b[H\x1b[2J');
        io.out(renderStatusText(status, { source: `live from ${url} — Ctrl-C stops`, now: Date.now() }));
        if (!io.isTTY) io.out('\n');
      }, abort.signal);
    } catch (err) {
      throw new UserError('ERR_COLLECTOR_UNREACHABLE', `cannot follow the collector at ${url}: ${(err as Error).message}`, 'start it with `builder collect`, or pass --collector URL');
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return EXIT.ok;
  },
};
