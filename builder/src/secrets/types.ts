import type { AdminCredentials } from './admin.js';
import type { TalosSecretsBundle } from './talos-bundle.js';

/** Everything secret a lab has: what rendering reads. Never print any of it. */
export interface LabSecrets {
  talos: TalosSecretsBundle;
  admin: AdminCredentials;
  /** Bearer token for the collector's HTTP API (events, Harvester webhooks). */
  collectorToken: string;
  /** Token Harvester nodes share to form and join the cluster. */
  harvesterToken: string;
  /** Administrator login of the gateway (VyOS user `vyos`) and of Harvester nodes. */
  login: { password: string; passwordHash: string };
  ssh: { publicKey: string; privateKey: string };
}
