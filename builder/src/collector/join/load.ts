import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '@lab/shared';
import type { StatePaths } from '../../state/index.js';
import { parseKubeconfig, parseTalosconfig, type KubeCredentials, type TalosCredentials } from './credentials.js';
import { planJoinTargets, type JoinTargets } from './targets.js';

const readIf = (file: string) => readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));

/**
 * Reads the credentials the join watchers use from the lab's state: `rendered/kubeconfig` and
 * `rendered/talosconfig` (written by `builder render`) and the lab's SSH key (Harvester). What is
 * missing is said in `missing`, so `collect` can tell the operator which watcher will not run.
 */
export async function loadJoinTargets(lab: Lab, paths: StatePaths): Promise<{ targets: JoinTargets; missing: string[] }> {
  const missing: string[] = [];
  const kubeFile = join(paths.rendered, 'kubeconfig');
  const talosFile = join(paths.rendered, 'talosconfig');
  let kube: KubeCredentials | undefined;
  let talos: TalosCredentials | undefined;
  const kubeText = await readIf(kubeFile);
  if (kubeText === undefined) missing.push(kubeFile);
  else kube = parseKubeconfig(kubeText, kubeFile);
  const talosText = await readIf(talosFile);
  if (talosText === undefined) missing.push(talosFile);
  else talos = parseTalosconfig(talosText, talosFile);
  const sshKey = lab.clusters.harvester ? await readIf(paths.gatewaySshKey) : undefined;
  if (lab.clusters.harvester && sshKey === undefined) missing.push(paths.gatewaySshKey);
  return { targets: planJoinTargets(lab, { ...(kube ? { kube } : {}), ...(talos ? { talos } : {}), ...(sshKey ? { sshKey } : {}), knownHostsFile: paths.knownHosts }), missing };
}
