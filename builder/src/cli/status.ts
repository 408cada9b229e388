import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext, localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { fetchStatus, statusFromStore } from '../collector/client.js';
import { renderStatusText } from '../collector/views/terminal.js';

export const statusCommand: Command = {
  name: 'status',
  help: `Usage: builder status [--lab FILE] [--state DIR] [--collector URL] [--json]

Asks the running collector (\`builder collect\`) for the status; when none answers, computes it
from the stored events (state/collector/events.db) and says so.

  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the lab's state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: from the lab's collector.listen, on this machine)
  --json            print the status as JSON (the same document as GET /v1/status)

Exit codes: 0 no problems (also when events are stored but none shows a problem yet), 1 a host failed
or is stalled, or no collector answers and nothing is stored, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('status', argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } });
    const ctx = await collectorContext(values, io.cwd);
    const token = await readCollectorToken(ctx.paths);
    // --url is the old name of --collector, kept as a hidden alias.
    const url = values.collector ?? values.url ?? localUrl(ctx.lab.collector.listen);
    let status = await fetchStatus(url, token);
    let source = `from the collector at ${url}`;
    if (!status) {
      status = statusFromStore(ctx.plan, ctx.paths.collectorDb, ctx.lab.collector.stalls);
      source = `the collector at ${url} is not answering; status computed from ${ctx.paths.collectorDb}`;
    }
    if (!status) throw new UserError('ERR_COLLECTOR_UNREACHABLE', `no collector answers at ${url} and no events are stored yet (${ctx.paths.collectorDb})`, 'start it with `builder collect`');
    if (values.json) io.out(`${JSON.stringify(status, null, 2)}\n`);
    else io.out(renderStatusText(status, { source, now: Date.now() }));
    return status.problems.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
