import type { Server } from 'node:http';
import type { AgentConfig } from '@lab/shared';
import { Reporter } from './reporter/reporter.js';
import { runHostRole } from './roles/host/index.js';
import { PxeRole, type PxePorts } from './roles/pxe/index.js';
import { JoinRole } from './roles/join/index.js';
import { startStatusServer } from './status.js';

export interface RunningAgent {
  reporter: Reporter;
  statusPort: number | null;
  pxePorts: PxePorts | null;
  stop(): Promise<void>;
}

/** Starts the reporter, the status endpoint and each configured role. */
export async function startAgent(cfg: AgentConfig): Promise<RunningAgent> {
  const reporter = new Reporter({
    collectorUrl: cfg.collector.url,
    token: cfg.collector.token,
    spoolDir: cfg.spool.dir,
    maxEvents: cfg.spool.maxEvents,
    log: (line) => process.stderr.write(`agent: ${line}\n`),
    ...(cfg.host.name ? { host: cfg.host.name } : {}),
    ...(cfg.host.mac ? { mac: cfg.host.mac } : {}),
  });
  reporter.start();
  const stops: Array<() => Promise<void> | void> = [() => reporter.stop()];
  let identity = { host: cfg.host.name ?? null, mac: cfg.host.mac ?? null };
  let statusPort: number | null = null;
  let pxePorts: PxePorts | null = null;
  let statusServer: Server | null = null;
  try {
    if (cfg.roles.includes('host')) {
      const facts = runHostRole(reporter, { ...(cfg.host.name ? { host: cfg.host.name } : {}), ...(cfg.host.mac ? { mac: cfg.host.mac } : {}) });
      const mac = cfg.host.mac ?? facts.interfaces.find((i) => i.mac)?.mac ?? null;
      identity = { host: cfg.host.name ?? facts.hostname, mac };
    }
    if (cfg.status) {
      const s = await startStatusServer(cfg.status.host, cfg.status.port, { ...identity, roles: cfg.roles, collectorUrl: cfg.collector.url, startedAt: new Date().toISOString() }, reporter, cfg.collector.token);
      statusServer = s.server;
      statusPort = s.port;
      stops.unshift(() => new Promise<void>((r) => (statusServer as Server).close(() => r())));
    }
    if (cfg.roles.includes('pxe') && cfg.pxe) {
      const pxe = new PxeRole(cfg.pxe, reporter, identity.host ?? undefined, cfg.collector.token);
      pxePorts = await pxe.start();
      stops.unshift(() => pxe.stop());
    }
    if (cfg.roles.includes('join') && cfg.join) {
      const join = new JoinRole(cfg.join, reporter, identity.host ?? 'agent');
      join.start();
      stops.unshift(() => join.stop());
    }
  } catch (err) {
    for (const s of stops) await s();
    throw err;
  }
  return {
    reporter,
    statusPort,
    pxePorts,
    async stop() {
      for (const s of stops) await s();
    },
  };
}
