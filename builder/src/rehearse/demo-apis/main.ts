// The demo APIs process (`node builder/dist/rehearse-demo-apis.js CONFIG`), run by the rehearsal
// inside the laptop namespace beside the collector: the stand-in apid, the platform's Kubernetes
// API with its demo Argo CD, and Harvester's Kubernetes API. It stops on SIGTERM.
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { startDemoApid } from './apid.js';
import { DemoArgoCd } from './argocd.js';
import type { DemoApisConfig, DemoKubeConfig } from './config.js';
import { startDemoKube, type KubeState } from './kube.js';
import { nodeMachined } from './machined.js';

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DemoApisConfig;
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} demo-apis: ${line}\n`);
const closers: (() => Promise<void>)[] = [];

/** The laptop's address may arrive a moment after this process starts (its tap moves in): retry. */
async function bound<T>(what: string, start: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= 60 || !/EADDRNOTAVAIL|No address added/.test(String(err))) throw err;
      if (i === 0) say(`${what}: ${config.listen} is not up yet; retrying`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
const state: { platform?: KubeState; harvester?: KubeState; applied: string[] } = { applied: [] };

async function kube(name: 'platform' | 'harvester', c: DemoKubeConfig, s: KubeState, onManifest?: (n: string, y: string) => void, argocdNamespace?: string): Promise<KubeState> {
  const api = await bound(`${name} Kubernetes API`, () => startDemoKube(s, Buffer.from(c.ca), { cert: Buffer.from(c.cert), key: Buffer.from(c.key) }, { host: config.listen, port: c.port, writers: { tokens: c.tokens, ...(onManifest ? { onManifest } : {}) }, ...(argocdNamespace ? { argocdNamespace } : {}) }));
  closers.push(api.close);
  say(`${name} Kubernetes API (demo) on ${api.origin}`);
  return s;
}

if (config.apid) {
  const a = config.apid;
  const apid = await bound('apid', () => startDemoApid(nodeMachined(), Buffer.from(a.osCa), { cert: Buffer.from(a.cert), key: Buffer.from(a.key) }, { host: config.listen, port: a.port }));
  closers.push(apid.close);
  say(`apid (demo) on ${config.listen}:${apid.port}`);
}
let argo: DemoArgoCd | undefined;
if (config.platform) {
  const p = config.platform;
  const s: KubeState = { nodes: [] };
  const a = new DemoArgoCd(s, { namespace: p.argocdNamespace, platformApps: p.platformApps, ...(p.stepMs ? { stepMs: p.stepMs } : {}) });
  argo = a;
  state.platform = await kube('platform', p, s, (n, y) => {
    say(`manifest ${n} applied by a node`);
    a.apply(n, y);
  }, p.argocdNamespace);
  state.applied = a.applied;
}
if (config.harvester) state.harvester = await kube('harvester', config.harvester, { nodes: [] });

const timer = setInterval(() => argo?.tick(Date.now()), 500);
rmSync(config.control, { force: true });
const control = http.createServer((req, res) => {
  res.writeHead(req.url === '/state' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(req.url === '/state' ? JSON.stringify(state) : '{}');
});
control.listen(config.control);
process.on('SIGTERM', () => {
  clearInterval(timer);
  control.close();
  void Promise.all(closers.map((c) => c())).then(() => say('stopped'));
  // grpc-js's tryShutdown waits for open calls; the rehearsal sends SIGKILL after its grace period.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 2000).unref();
});
say('up');
