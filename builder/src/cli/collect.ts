import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { collectorContext, parseListen, parsePort } from './collector-flags.js';
import { ensureDbDir, readCollectorToken, readOnlyToken } from '../collector/token.js';
import { streamListenHost, describeBind } from '../collector/bind.js';
import { startCollector } from '../collector/server.js';
import { CredentialsError, loadJoinTargets } from '../collector/join/index.js';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { reachabilityWarnings } from '../collector/reach.js';
import { pxeMarksFromLab } from '../collector/pxe-marks/from-lab.js';
import { DEMO_LABEL } from '../collector/views/demo-label.js';

export const collectCommand: Command = {
  name: 'collect',
  help: `Usage: builder collect [--lab FILE] [--state DIR] [--listen ADDR:PORT] [--talos-port N] [--kmsg-port N] [--bootstrap] [--no-join] [--demo] [--json]

Runs the collector until Ctrl-C. It stores every event in SQLite (state/collector/events.db), so
a restart loses nothing, and serves:
  http://ADDR:PORT/                      the dashboard (phases, problems first, per-host timeline)
  POST /v1/events                        the agent's events (bearer token from state/secrets)
  POST /v1/webhooks/harvester?event=E    Harvester installer webhooks (STARTED, SUCCEEDED, FAILED)
  GET  /v1/status, /v1/events, /v1/stream, /metrics
  gRPC on --talos-port                   Talos's event sink (EventSinkConfig endpoint)
  TCP on --kmsg-port                     Talos's kernel log as JSON lines (KmsgLogConfig url)

It also watches the clusters themselves, with the credentials only this machine holds
(state/rendered/kubeconfig and talosconfig from \`builder render\`, the lab's SSH key): each
platform node's Talos API (version, services, etcd members), the platform's Kubernetes API
(nodes Ready, Argo CD and its Applications) and Harvester's (its nodes Ready, kubeconfig read
over SSH as user rancher). "Joined" and "healthy" come from these watchers.

With a pxe section in the lab, it tells the PXE agent (http://<pxe.address>:<pxe.httpPort>, the
collector token) which PXE hosts' installs are done, Talos's included, so their next network
boot exits to disk; it retries while the agent is unreachable, and sends the marks again when
the agent starts again (a rebooted gateway stick keeps none).

  --lab FILE          the lab file (default: ${LAB_DEFAULT})
  --state DIR         the lab's state directory (default: state/ beside the lab file)
  --listen ADDR:PORT  HTTP address (default: the lab's collector.listen)
  --talos-port N      Talos event sink port (default: the lab's collector.talosEventsPort)
  --kmsg-port N       kernel log port (default: the lab's collector.kmsgPort)
  --bootstrap         call Talos's Bootstrap on the first platform host once its etcd waits for
                      it and no node has etcd members (the same call as \`builder bootstrap\`)
  --no-join           do not watch the clusters' APIs (events from senders only)
  --demo              label the dashboard, /v1/status and \`status\`/\`watch\` as a demo
                      rehearsal (\`builder rehearse --demo\` starts its collector so)
  --json              print where it listens as one JSON line ({"listening": {...}}), then {"stopped": true}

Exit codes: 0 stopped by Ctrl-C, 1 could not start (address in use, no token), 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('collect', argv, {
      lab: { type: 'string' },
      state: { type: 'string' },
      listen: { type: 'string' },
      'talos-port': { type: 'string' },
      'kmsg-port': { type: 'string' },
      bootstrap: { type: 'boolean' },
      'no-join': { type: 'boolean' },
      demo: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const ctx = await collectorContext(values, io.cwd);
    const listen = values.listen !== undefined ? parseListen(values.listen) : parseListen(ctx.lab.collector.listen, `collector.listen in ${ctx.labFile}`);
    const talosPort = parsePort(values['talos-port'], '--talos-port', ctx.lab.collector.talosEventsPort);
    const kmsgPort = parsePort(values['kmsg-port'], '--kmsg-port', ctx.lab.collector.kmsgPort);
    const token = await readCollectorToken(ctx.paths);
    await ensureDbDir(ctx.paths);
    let watch: Parameters<typeof startCollector>[0]['join'];
    if (!values['no-join']) {
      try {
        const loaded = await loadJoinTargets(ctx.lab, ctx.paths);
        if (loaded.missing.length > 0) io.err(`collector: not watching what needs ${loaded.missing.join(', ')} (run \`builder render\` / \`builder secrets init\` first)\n`);
        const bootstrapHost = values.bootstrap ? ctx.lab.clusters.platform?.hosts[0] : undefined;
        if (values.bootstrap && !loaded.targets.platform?.talos) throw new UserError('ERR_RENDERED_CREDENTIALS_MISSING', '--bootstrap needs the rendered talosconfig', 'run `builder render` first');
        watch = { targets: loaded.targets, options: { ...(bootstrapHost ? { bootstrapHost } : {}), log: (line) => io.err(`collector: ${line}\n`) } };
      } catch (err) {
        if (err instanceof CredentialsError) throw new UserError('ERR_RENDERED_CREDENTIALS_INVALID', `cannot read the cluster credentials: ${err.message}`, 'render them again with `builder render`', { cause: err });
        throw err;
      }
    }
    const readToken = readOnlyToken(token);
    // Installs the collector hears of (Talos's), and marks a rebooted gateway lost, go to the PXE agent.
    const pxeMarks = pxeMarksFromLab(ctx.lab, token);
    // Talos's streams are unauthenticated: they listen on the lab-facing address (collector.url)
    // when this machine has it, not on every network the laptop is on.
    const streams = streamListenHost(ctx.lab.collector.url, listen.host);
    let running;
    try {
      running = await startCollector({
        plan: ctx.plan,
        dbFile: ctx.paths.collectorDb,
        token,
        readToken,
        host: listen.host,
        port: listen.port,
        streamHost: streams.host,
        talosPort,
        kmsgPort,
        runbookDir: join(ctx.paths.root, 'runbook'),
        thresholds: ctx.lab.collector.stalls,
        log: (line) => io.err(`${line}\n`),
        ...(watch ? { join: watch } : {}),
        ...(pxeMarks ? { pxeMarks } : {}),
        ...(values.demo ? { demo: DEMO_LABEL } : {}),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE' || /address already in use|No address added/i.test(e.message ?? '')) {
        throw new UserError('ERR_LISTEN_ADDRESS_IN_USE', `cannot listen: an address is already in use (HTTP ${listen.host}:${listen.port}, Talos sink ${talosPort}, kernel log ${kmsgPort})`, 'stop the other collector, or pick free ports with --listen, --talos-port and --kmsg-port');
      }
      if (e.code === 'EADDRNOTAVAIL') throw new UserError('ERR_LISTEN_ADDRESS_UNAVAILABLE', `cannot listen on ${listen.host}: this machine has no such address`, 'use 0.0.0.0 or one of this machine\'s addresses with --listen');
      if (e.code === 'EACCES') throw new UserError('ERR_LISTEN_PERMISSION', `cannot listen on port ${listen.port}: permission denied`, 'use a port above 1023');
      throw err;
    }
    const local = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
    for (const w of reachabilityWarnings(ctx.lab.collector.url, listen.host, local)) io.err(`collector: warning: ${w}\n`);
    const dashboard = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
    if (values.json) io.out(`${JSON.stringify({ listening: { http: `http://${dashboard}:${running.httpPort}/`, httpBind: `${listen.host}:${running.httpPort}`, talos: `${streams.host}:${running.talos.port}`, kmsg: `${streams.host}:${running.kmsg.port}`, db: ctx.paths.collectorDb, readToken } })}\n`);
    else io.out(
      [
        `collector: HTTP on ${describeBind(listen.host)}:${running.httpPort} — dashboard at http://${dashboard}:${running.httpPort}/`,
        `collector: Talos event sink on ${describeBind(streams.host)}:${running.talos.port} (gRPC), kernel log on ${describeBind(streams.host)}:${running.kmsg.port} (TCP)`,
        ...(streams.note ? [`collector: ${streams.note}`] : []),
        `collector: reads from other machines need a token; read-only token: ${readToken}`,
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
    io.out(values.json ? `${JSON.stringify({ stopped: true })}\n` : 'collector: stopped\n');
    return EXIT.ok;
  },
};
