import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import http from 'node:http';
import { planFromLab, type Lab } from '@lab/shared';
import type { LabSecrets } from '../../secrets/index.js';
import { unb64 } from '../../secrets/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { demoServerCert } from './certs.js';
import { DEMO_PORTS, type DemoApisConfig } from './config.js';
import type { DemoHarvesterCluster } from './harvester.js';
import type { KubeState } from './kube.js';

/**
 * Plans the demo APIs for a lab (which stand-ins, on the laptop's address, with serving
 * certificates from the rehearsal's own CAs for the addresses the watchers and nodes dial) and
 * reads back what they hold.
 */
export function planDemoApis(lab: Lab, secrets: LabSecrets, o: { listen: string; control: string; stepMs?: number; harvester?: DemoHarvesterCluster }): DemoApisConfig {
  const platform = lab.clusters.platform;
  const config: DemoApisConfig = { listen: o.listen, control: o.control };
  // Harvester's API (phase 3): its nodes' kubelets write with the cluster token of their config.
  if (o.harvester) config.harvester = { port: DEMO_PORTS.harvester, ca: o.harvester.ca, cert: o.harvester.server.cert, key: o.harvester.server.key, tokens: [secrets.harvesterToken] };
  if (!platform) return config;
  const t = secrets.talos;
  const addresses = platform.hosts.flatMap((n) => lab.hosts.find((h) => h.name === n)?.addresses.map((a) => a.address) ?? []);
  const apid = demoServerCert(t.certs.os, 'apid', addresses);
  config.apid = { port: DEMO_PORTS.apid, osCa: unb64(t.certs.os.crt), cert: apid.cert.toString(), key: apid.key.toString() };
  const endpointHost = /^https?:\/\/\[?([^\]/]+?)\]?(?::\d+)?(?:\/|$)/.exec(platform.endpoint)?.[1] ?? '';
  const ipLike = (s: string) => /^[\d.]+$/.test(s) || s.includes(':');
  const sans = [...platform.certSans, endpointHost];
  const kube = demoServerCert(t.certs.k8s, 'kube-apiserver', ['127.0.0.1', ...addresses, ...sans.filter(ipLike)], ['localhost', 'kubernetes', 'kubernetes.default.svc', ...sans.filter((s) => s && !ipLike(s))]);
  // The platform applications phase 2 waits for are the demo GitOps repository's Applications.
  const apps = planFromLab(lab).phases.flatMap((p) => p.checks).filter((c) => c.kind === 'join.argocd-app').map((c) => String(c.match.app));
  config.platform = { port: DEMO_PORTS.platform, ca: unb64(t.certs.k8s.crt), cert: kube.cert.toString(), key: kube.key.toString(), tokens: [t.secrets.bootstraptoken], argocdNamespace: 'argocd', platformApps: apps, ...(o.stepMs ? { stepMs: o.stepMs } : {}) };
  return config;
}

/** Writes the config (0600: it holds serving keys) where the demo APIs process reads it. */
export async function writeDemoApisConfig(file: string, config: DemoApisConfig): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(config)}\n`, { mode: 0o600 });
}

/** builder/dist/rehearse-demo-apis.js beside the CLI's bundle (`npm run build` makes it). */
export function demoApisEntry(builderBin: string): string {
  const entry = join(dirname(builderBin), '..', 'dist', 'rehearse-demo-apis.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\``);
  return entry;
}

export interface DemoApisState {
  platform?: KubeState;
  harvester?: KubeState;
  applied: string[];
}

/** What the running stand-ins hold (GET /state on their control socket); undefined if they do not answer. */
export function readDemoApisState(control: string, timeoutMs = 2000): Promise<DemoApisState | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: control, path: '/state', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as DemoApisState);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
