import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT, UserError } from './errors.js';
import { collectorContext, ensureDbDir, parseListen, parsePort, readCollectorToken } from '../collector/context.js';
import { startCollector } from '../collector/server.js';
import { DEFAULT_LAB_FILE } from '../state/index.js';
import { join } from 'node:path';

export const collectCommand: Command = {
  name: 'collect',
  help: `Usage: builder collect [--lab FILE] [--state DIR] [--listen ADDR:PORT] [--talos-port N] [--kmsg-port N]

Runs the collector until Ctrl-C. It stores every event in SQLite (state/collector/events.db), so
a restart loses nothing, and serves:
  http://ADDR:PORT/                      the dashboard (phases, problems first, per-host timeline)
  POST /v1/events                        the agent's events (bearer token from state/secrets)
  POST /v1/webhooks/harvester?event=E    Harvester installer webhooks (STARTED, SUCCEEDED, FAILED)
  GET  /v1/status, /v1/events, /v1/stream, /metrics
  gRPC on --talos-port                   Talos's event sink (EventSinkConfig endpoint)
  TCP on --kmsg-port                     Talos's kernel log as JSON lines (KmsgLogConfig url)

  --lab FILE          the lab file (default ${DEFAULT_LAB_FILE})
  --state DIR         the lab's state directory (default: state/ beside the lab file)
  --listen ADDR:PORT  HTTP address (default: the lab's collector.listen)
  --talos-port N      Talos event sink port (default: the lab's collector.talosEventsPort)
  --kmsg-port N       kernel log port (default: the lab's collector.kmsgPort)

Exit codes: 0 stopped by Ctrl-C, 1 could not start (address in use, no token), 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('collect', argv, {
      lab: { type: 'string' },
      state: { type: 'string' },
      listen: { type: 'string' },
      'talos-port': { type: 'string' },
      'kmsg-port': { type: 'string' },
    });
    const ctx = await collectorContext(values, io.cwd);
    const listen = parseListen(values.listen ?? ctx.lab.collector.listen);
    const talosPort = parsePort(values['talos-port'], '--talos-port', ctx.lab.collector.talosEventsPort);
    const kmsgPort = parsePort(values['kmsg-port'], '--kmsg-port', ctx.lab.collector.kmsgPort);
    const token = await readCollectorToken(ctx.paths);
    await ensureDbDir(ctx.paths);
    let running;
    try {
      running = await startCollector({ plan: ctx.plan, dbFile: ctx.paths.collectorDb, token, host: listen.host, port: listen.port, talosPort, kmsgPort, runbookDir: join(ctx.paths.root, 'runbook') });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE' || /address already in use|No address added/i.test(e.message ?? '')) {
        throw new UserError(`cannot listen: an address is already in use (HTTP ${listen.host}:${listen.port}, Talos sink ${talosPort}, kernel log ${kmsgPort})`, 'stop the other collector, or pick free ports with --listen, --talos-port and --kmsg-port');
      }
      if (e.code === 'EADDRNOTAVAIL') throw new UserError(`cannot listen on ${listen.host}: this machine has no such address`, 'use 0.0.0.0 or one of this machine\'s addresses with --listen');
      if (e.code === 'EACCES') throw new UserError(`cannot listen on port ${listen.port}: permission denied`, 'use a port above 1023');
      throw err;
    }
    const shown = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
    io.out(
      [
        `collector: listening on http://${shown}:${running.httpPort}/ (dashboard)`,
        `collector: Talos event sink on ${listen.host}:${running.talos.port} (gRPC), kernel log on ${listen.host}:${running.kmsg.port} (TCP)`,
        `collector: events stored in ${ctx.paths.collectorDb} (${running.hub.store.count()} so far); Ctrl-C stops`,
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await running.close();
    io.out('collector: stopped\n');
    return EXIT.ok;
  },
};
