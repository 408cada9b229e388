import { resolve } from 'node:path';
import type { Lab } from '@lab/shared';
import { requireLabAndState } from '../lab/index.js';
import type { StatePaths } from '../state/index.js';
import { buildRunbook, type BuildOptions } from './build.js';
import type { Runbook } from './model.js';

export interface RunbookInput {
  lab: Lab;
  labFile: string;
  paths: StatePaths;
  runbook: Runbook;
}

/**
 * Reads the lab and builds its runbook. Its paths are absolute (the lab file, the state
 * directory): the runbook is read in other directories and on the gateway stick, where a path
 * relative to where it was generated would point nowhere.
 */
export async function loadRunbook(values: { lab?: string; state?: string }, cwd: string, commands?: BuildOptions['commands']): Promise<RunbookInput> {
  const { lab, labFile, paths } = await requireLabAndState(values, cwd);
  return { lab, labFile, paths, runbook: buildRunbook(lab, { labArg: resolve(cwd, labFile), stateDir: paths.root, ...(commands ? { commands } : {}) }) };
}
