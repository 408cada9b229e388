import { createServer, type Server } from 'node:http';
import { bearerMatches, readerIsLocal, type AgentRole } from '@lab/shared';
import type { Reporter } from './reporter/reporter.js';

export interface StatusInfo {
  host: string | null;
  mac: string | null;
  roles: AgentRole[];
  collectorUrl: string;
  startedAt: string;
}

/**
 * The document carries MACs, facts, errors and recent events: it is for the operator. From this
 * machine (a loopback peer that named a loopback host) it is open; from anywhere else it needs
 * `Authorization: Bearer <the collector token from agent.yaml>`, which the operator already holds.
 */
export function statusAllowed(remoteAddress: string | undefined, host: string | undefined, authorization: string | undefined, token: string): boolean {
  return readerIsLocal(remoteAddress, host) || bearerMatches(authorization, token);
}

/** The status document. It names the collector by origin only: no token, no path secrets. */
export function statusDocument(info: StatusInfo, reporter: Reporter): Record<string, unknown> {
  return {
    identity: { host: info.host, mac: info.mac },
    roles: info.roles,
    startedAt: info.startedAt,
    spoolDepth: reporter.state.spoolDepth,
    spool: { error: reporter.state.spoolError, dropped: reporter.state.dropped },
    collector: {
      url: new URL(info.collectorUrl).origin,
      reachable: reporter.state.collectorReachable,
      lastError: reporter.state.lastError,
      lastAckAt: reporter.state.lastAckAt,
      sent: reporter.state.sent,
    },
    recentEvents: reporter.recent(),
  };
}

export async function startStatusServer(host: string, port: number, info: StatusInfo, reporter: Reporter, token: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'GET' && path === '/healthz') {
      res.setHeader('content-type', 'text/plain');
      return res.end('ok\n');
    }
    if (req.method === 'GET' && path === '/status') {
      if (!statusAllowed(req.socket.remoteAddress, req.headers.host, req.headers.authorization, token)) {
        res.statusCode = 401;
        res.setHeader('www-authenticate', 'Bearer');
        res.setHeader('content-type', 'text/plain');
        return res.end('unauthorized: from another machine send Authorization: Bearer <collector token from agent.yaml>\n');
      }
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(statusDocument(info, reporter), null, 2) + '\n');
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain');
    res.end('not found: try GET /status or GET /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`status endpoint cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
