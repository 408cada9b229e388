import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext, localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';
import { CollectorRefused } from '../collector/client.js';
import { followHostEvents } from '../collector/follow-events.js';
import type { StoredEvent } from '../collector/store.js';
import { eventLine, isLogEvent, logLine } from '../collector/views/event-lines.js';

interface HostStream {
  name: 'events' | 'logs';
  what: string;
  keep(e: StoredEvent): boolean;
  line(e: StoredEvent): string;
}

/** `builder events HOST` and `builder logs HOST`: one host's stored events, or its kernel and service log. */
function hostStreamCommand(s: HostStream): Command {
  return {
    name: s.name,
    help: `Usage: builder ${s.name} HOST [-f] [--tail N] [--lab FILE] [--state DIR] [--collector URL] [--json]

Prints ${s.what} of one lab host, as the collector stored them (oldest first, receive time).
With -f it keeps following, and rides out a collector restart (nothing is lost: the store is durable).

  -f, --follow      keep printing new ones until Ctrl-C
  --json            print each one as a JSON line (the stored event)
  --tail N          how many of its last events to read first (default 50, at most 1000)
  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the lab's state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: from the lab's collector.listen, on this machine)

Exit codes: 0 printed (or stopped by Ctrl-C), 1 no collector answers, 2 usage error (unknown host).`,
    async run(argv, io) {
      const { values, positionals } = parseFlags(s.name, argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string' } }, true);
      const host = positionals[0];
      if (!host || positionals.length > 1) throw new UsageError('ERR_USAGE_FLAG_VALUE', `${s.name}: name one host`, `for example \`builder ${s.name} cp-1\``);
      const tail = values.tail === undefined ? 50 : Number(values.tail);
      if (!Number.isSafeInteger(tail) || tail < 1 || tail > 1000) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--tail: "${values.tail}" is not a number from 1 to 1000`, 'give how many to print first, e.g. --tail 200');
      const ctx = await collectorContext(values, io.cwd);
      if (!ctx.plan.hosts.some((h) => h.name === host)) throw new UsageError('ERR_USAGE_FLAG_VALUE', `${s.name}: "${host}" is not a host of the lab`, `use one of: ${ctx.plan.hosts.map((h) => h.name).join(', ')}`);
      const token = await readCollectorToken(ctx.paths);
      // --url is the old name of --collector, kept as a hidden alias.
    const url = values.collector ?? values.url ?? localUrl(ctx.lab.collector.listen);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await followHostEvents(url, token, {
          host,
          tail,
          follow: values.follow ?? false,
          signal: abort.signal,
          onEvent: (e) => {
            if (s.keep(e)) io.out(`${values.json ? JSON.stringify(e) : s.line(e)}\n`);
          },
          onConnection: (up, why) => io.err(up ? `${s.name}: the collector answers again\n` : `${s.name}: the collector at ${url} is not answering (${why}); retrying\n`),
        });
      } catch (err) {
        if (err instanceof CollectorRefused) throw new UserError('ERR_COLLECTOR_UNREACHABLE', `the collector at ${url} refused: ${err.message}`, 'check --collector and the lab\'s collector token');
        throw new UserError('ERR_COLLECTOR_UNREACHABLE', `no collector answers at ${url}: ${(err as Error).message}`, 'start it with `builder collect`, or pass --collector URL');
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      return EXIT.ok;
    },
  };
}

export const eventsCommand = hostStreamCommand({ name: 'events', what: 'the events', keep: () => true, line: eventLine });
export const logsCommand = hostStreamCommand({ name: 'logs', what: 'the kernel and service log lines', keep: isLogEvent, line: logLine });
