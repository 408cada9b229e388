import { join } from 'node:path';
import type { StatePaths } from '../state/index.js';

/** Every file in the secrets directory, by what it holds. */
export interface SecretPaths {
  talosSecrets: string;
  collectorToken: string;
  gateway: string;
  sshKey: string;
  sshPub: string;
  harvesterToken: string;
  admin: string;
}

export function secretPaths(paths: StatePaths): SecretPaths {
  return {
    talosSecrets: paths.talosSecrets,
    collectorToken: paths.collectorToken,
    gateway: paths.gatewaySecrets,
    sshKey: paths.gatewaySshKey,
    sshPub: paths.gatewaySshPub,
    harvesterToken: join(paths.secrets, 'harvester-token'),
    admin: join(paths.secrets, 'admin-credentials.yaml'),
  };
}

export const SECRET_MODE = 0o600;
export const SECRET_DIR_MODE = 0o700;
