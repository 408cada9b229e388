import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import type { DemoDisk, DemoService, MachineSource, MachineState, Refusal } from './apid.js';

/**
 * The demo Talos node's machined, as the demo apid reaches it: the node serves its own state
 * (busybox httpd on its lab address, port DEMO_MACHINED_PORT, payload/scripts.ts) and takes the
 * Bootstrap request there. On Talos apid reaches machined over a local socket; here the
 * stand-in apid runs beside the collector and the node relays its port 50000 to it, so the way
 * back to machined is the node's own address — the peer of the call.
 *
 * The state is lines the node's shell writes (pure parse below):
 *   hostname cp-1
 *   version v1.12.0
 *   service etcd Preparing unknown Running pre state   (id, state, healthy|unhealthy|unknown, message)
 *   etcd cp-1                                          (a member; no line: etcd is not running)
 *   disk /dev/nvme0n1 512000000000 nvme 1 SERIAL MODEL… (device, bytes, type, system 0|1, serial, model)
 */

/** Where the demo node's machined listens (a demo-only port; Talos has no such door). */
export const DEMO_MACHINED_PORT = 50080;

const TYPES = new Set(['ssd', 'hdd', 'nvme', 'sd']);

export function parseMachineState(text: string): MachineState | undefined {
  const s: MachineState = { hostname: '', version: '', services: [] };
  const members: string[] = [];
  const disks: DemoDisk[] = [];
  for (const line of text.split('\n')) {
    const [word, ...rest] = line.trim().split(/\s+/);
    if (word === 'hostname') s.hostname = rest[0] ?? '';
    else if (word === 'version') s.version = rest[0] ?? '';
    else if (word === 'service' && rest.length >= 3) {
      const [id, state, health, ...msg] = rest as [string, string, string, ...string[]];
      const svc: DemoService = { id, state, healthy: health === 'healthy', unknown: health === 'unknown' };
      if (msg.length > 0) svc.message = msg.join(' ');
      if (health === 'unknown' && msg.length > 0) svc.events = [msg.join(' ')];
      s.services.push(svc);
    } else if (word === 'etcd' && rest[0]) members.push(rest[0]);
    else if (word === 'disk' && rest.length >= 5 && TYPES.has(rest[2]!)) {
      const [device, size, type, system, serial, ...model] = rest as [string, string, DemoDisk['type'], string, string, ...string[]];
      disks.push({ device, size: Number(size), type, system: system === '1', serial: serial === '-' ? '' : serial, model: model.join(' ') });
    }
  }
  if (!s.hostname) return undefined;
  if (members.length > 0) s.etcdMembers = members;
  if (disks.length > 0) s.disks = disks;
  return s;
}

function request(method: 'GET' | 'POST', host: string, path: string, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = http.request({ host, port: DEMO_MACHINED_PORT, path, method, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Answers for the demo apid from the node at the caller's address. */
export function nodeMachined(timeoutMs = 3000): MachineSource {
  return {
    async machine(peer) {
      const r = await request('GET', peer, '/state', timeoutMs);
      return r?.status === 200 ? parseMachineState(r.body) : undefined;
    },
    async bootstrap(peer): Promise<Refusal | undefined> {
      const r = await request('POST', peer, '/cgi-bin/bootstrap', timeoutMs);
      if (!r) return { code: grpc.status.UNAVAILABLE, details: 'machined is not answering' };
      const text = r.body.trim();
      if (text === 'ok') return undefined;
      // What Talos v1.12.0 answers (internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go, Bootstrap):
      // a second call finds etcd's data directory full; one before the node may bootstrap is refused.
      if (text === 'already') return { code: grpc.status.ALREADY_EXISTS, details: 'etcd data directory is not empty' };
      if (text === 'not-yet') return { code: grpc.status.FAILED_PRECONDITION, details: 'bootstrap is not available yet' };
      return { code: grpc.status.FAILED_PRECONDITION, details: text || `machined answered ${r.status}` };
    },
  };
}
