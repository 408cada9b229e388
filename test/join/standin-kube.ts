import { startDemoKube, type DemoKube, type KubeState } from '../../builder/src/rehearse/demo-apis/index.js';
import type { ServerCert } from './lab-credentials.js';

/**
 * The product's demo Kubernetes API (builder/src/rehearse/demo-apis/kube.ts: HTTPS, client
 * certificates verified against the cluster's CA, the watchers' GETs), read-only, answering from
 * a state the test changes. What it does not model is said there.
 */
export type { KubeState };
export type StandinKube = DemoKube;

export function startStandinKube(state: KubeState, ca: Buffer, cert: ServerCert): Promise<StandinKube> {
  return startDemoKube(state, ca, cert);
}
