import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '@lab/shared';
import { startAgent } from '@lab/agent';
import { startReceiver } from './receiver.js';
import { cleanupAfterEach, until } from '../fixtures/wait.js';
import { createLabNet } from '../fixtures/netns/lab-net.js';
import { inNetns } from '../fixtures/netns/run.js';

const TOKEN = 'status-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups = cleanupAfterEach();


function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('status endpoint', () => {
  it('shows identity, roles, recent events, spool depth and collector reachability, and never the token', async () => {
    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const cfg = AgentConfigSchema.parse({
      collector: { url: `${rx.url}/`, token: TOKEN },
      host: { name: 'gw' },
      roles: ['host'],
      spool: { dir: mkdtempSync(join(tmpdir(), 'spool-')) },
      status: { host: '127.0.0.1', port: 0 },
    });
    const agent = await startAgent(cfg);
    cleanups.push(() => agent.stop());
    await until('the boot event to be acknowledged', () => rx.events.length === 1);
    const res = await fetch(`http://127.0.0.1:${agent.statusPort}/status`);
    const text = await res.text();
    const doc = JSON.parse(text);
    expect(doc.identity.host).toBe('gw');
    expect(doc.roles).toEqual(['host']);
    expect(doc.spoolDepth).toBe(0);
    expect(doc.collector.reachable).toBe(true);
    expect(doc.recentEvents.map((e: { kind: string }) => e.kind)).toEqual(['boot']);
    expect(text).not.toContain(TOKEN);
    expect(await (await fetch(`http://127.0.0.1:${agent.statusPort}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`http://127.0.0.1:${agent.statusPort}/other`)).status).toBe(404);
  });

  it('answers /status off loopback only with the token, and refuses a loopback peer that names another host (DNS rebinding)', async () => {
    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const agent = await startAgent(
      AgentConfigSchema.parse({
        collector: { url: rx.url, token: TOKEN },
        host: { name: 'gw', mac: '38:05:25:34:25:d0' },
        roles: ['host'],
        spool: { dir: mkdtempSync(join(tmpdir(), 'spool-')) },
        status: { host: '0.0.0.0', port: 0 },
      }),
    );
    cleanups.push(() => agent.stop());
    // A browser made to connect to 127.0.0.1 by a rebinding name still sends that name as Host.
    const get = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: agent.statusPort as number, path: '/status', headers: { host } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const rebound = await get(`evil.example:${agent.statusPort}`);
    expect(rebound.status).toBe(401);
    expect(rebound.body).not.toContain('38:05:25:34:25:d0');
    expect((await get(`localhost:${agent.statusPort}`)).status).toBe(200);

    // A peer on the lab network: a namespace whose uplink reaches this process at 10.250.n.1.
    const net = await createLabNet('st');
    cleanups.push(() => net.destroy());
    const url = `http://${net.uplinkHostIp}:${agent.statusPort}/status`;
    const anon = await inNetns(net.srv, 'curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', url]);
    expect(anon.stdout).toBe('401');
    const withToken = await inNetns(net.srv, 'curl', ['-sS', '--max-time', '5', '-H', `Authorization: Bearer ${TOKEN}`, url]);
    expect(JSON.parse(String(withToken.stdout)).identity.mac).toBe('38:05:25:34:25:d0');
    const wrong = await inNetns(net.srv, 'curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', '-H', `Authorization: Bearer ${TOKEN}x`, url]);
    expect(wrong.stdout).toBe('401');
  });
});

describe('join role', () => {
  it('reports node Ready, apid reachability, Argo CD health and Harvester readiness as they change', async () => {
    // This loopback HTTP server stands in for the real Kubernetes API (and Harvester's, which is
    // also a Kubernetes API): the agent reads the same paths and document shapes from it.
    const state = {
      nodes: [{ metadata: { name: 'um760' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }],
      apps: [{ metadata: { name: 'platform' }, status: { health: { status: 'Progressing' }, sync: { status: 'Synced' } } }],
      harvesterNodes: [] as Array<{ metadata: { name: string }; status: { conditions: Array<{ type: string; status: string }> } }>,
    };
    const seenAuth: string[] = [];
    const api = createServer((req, res) => {
      seenAuth.push(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      const harvester = req.headers.authorization === 'Bearer harvester-token';
      if (req.url === '/api/v1/nodes') return res.end(JSON.stringify({ items: harvester ? state.harvesterNodes : state.nodes }));
      if (req.url === '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications') return res.end(JSON.stringify({ items: state.apps }));
      res.statusCode = 404;
      res.end('{}');
    });
    const apiPort = await listen(api);
    cleanups.push(() => new Promise<void>((r) => api.close(() => r())));
    const dir = mkdtempSync(join(tmpdir(), 'join-'));
    const kubeconfig = (token: string) =>
      `apiVersion: v1\nkind: Config\ncurrent-context: lab\nclusters: [{ name: lab, cluster: { server: "http://127.0.0.1:${apiPort}" } }]\nusers: [{ name: admin, user: { token: ${token} } }]\ncontexts: [{ name: lab, context: { cluster: lab, user: admin } }]\n`;
    writeFileSync(join(dir, 'kubeconfig'), kubeconfig('cluster-token'), { mode: 0o600 });
    writeFileSync(join(dir, 'harvester.kubeconfig'), kubeconfig('harvester-token'), { mode: 0o600 });
    // apid stands in as a plain TCP listener: the watcher only checks reachability.
    const apid = createTcpServer((s) => s.destroy());
    const apidPort = await new Promise<number>((r) => apid.listen(0, '127.0.0.1', () => r((apid.address() as { port: number }).port)));
    cleanups.push(() => new Promise<void>((r) => apid.close(() => r())));

    const rx = await startReceiver({ token: TOKEN });
    cleanups.push(() => rx.stop());
    const agent = await startAgent(
      AgentConfigSchema.parse({
        collector: { url: rx.url, token: TOKEN },
        host: { name: 'gw' },
        roles: ['join'],
        spool: { dir: join(dir, 'spool') },
        join: {
          kubeconfig: join(dir, 'kubeconfig'),
          talos: [{ host: 'um760', endpoint: `127.0.0.1:${apidPort}` }],
          harvester: { kubeconfig: join(dir, 'harvester.kubeconfig'), nodes: 1 },
          intervalSeconds: 0.1,
        },
      }),
    );
    cleanups.push(() => agent.stop());
    const kinds = () => rx.events.map((e) => `${e.kind}:${e.host}`);
    await until('first readings', () => kinds().includes('join.node-not-ready:um760') && kinds().includes('join.apid-reachable:um760'));
    await sleep(400);
    const before = rx.events.length;
    await sleep(400);
    expect(rx.events.length, 'an unchanged state is not reported again').toBe(before);

    state.nodes[0]!.status.conditions[0]!.status = 'True';
    state.apps[0]!.status.health.status = 'Healthy';
    state.harvesterNodes.push({ metadata: { name: 'ms02-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await until('the changes', () => ['join.node-ready:um760', 'join.argocd-healthy:gw'].every((k) => kinds().includes(k)) && rx.events.some((e) => e.kind === 'join.harvester-ready' && e.attrs.ready === true));
    const app = rx.events.filter((e) => e.kind === 'join.argocd-app').map((e) => e.attrs.health);
    expect(app).toEqual(['Progressing', 'Healthy']);
    expect(seenAuth).toContain('Bearer cluster-token');

    await new Promise<void>((r) => apid.close(() => r()));
    await until('apid unreachable', () => rx.events.some((e) => e.kind === 'join.apid-reachable' && e.attrs.reachable === false));
  });
});
