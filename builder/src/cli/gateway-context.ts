import { resolve } from 'node:path';
import type { Lab } from '@lab/shared';
import { UsageError } from '../base/index.js';
import { requireLab } from '../lab/index.js';
import { loadSecrets, type LabSecrets } from '../secrets/index.js';
import { DEFAULT_LAB_FILE, statePaths, type StatePaths } from '../state/index.js';
import { collectorReporter, gatewayTarget, type EventReporter, type GatewayTarget } from '../gateway/index.js';

export interface GatewayFlags {
  lab?: string;
  state?: string;
  host?: string;
  user?: string;
  collector?: string;
}

export interface GatewayContext {
  lab: Lab;
  paths: StatePaths;
  secrets: LabSecrets;
  target: GatewayTarget;
  reporter: EventReporter;
}

/** The collector runs on the operator's laptop: reach it on loopback at the port it listens on. */
function defaultCollectorUrl(lab: Lab): string {
  const port = lab.collector.listen.split(':').pop();
  return `http://127.0.0.1:${port}`;
}

/** Reads what `apply gateway` and `check gateway` share: the lab, its secrets, where the gateway is. */
export async function loadGatewayContext(flags: GatewayFlags, cwd: string): Promise<GatewayContext> {
  const labFile = resolve(cwd, flags.lab ?? DEFAULT_LAB_FILE);
  const { lab } = await requireLab(labFile, cwd);
  const paths = statePaths(labFile, flags.state ? resolve(cwd, flags.state) : undefined);
  const secrets = await loadSecrets(paths);
  const target = gatewayTarget(lab, flags);
  const url = flags.collector ?? defaultCollectorUrl(lab);
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--collector ${url}: write an http:// URL such as http://127.0.0.1:8080`);
  const reporter = collectorReporter({ url, token: secrets.collectorToken, host: lab.gateway?.host ?? 'gateway' });
  return { lab, paths, secrets, target, reporter };
}
