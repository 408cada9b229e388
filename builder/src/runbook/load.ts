import { relative } from 'node:path';
import type { Lab } from '@lab/shared';
import { requireLabAndState } from '../lab/index.js';
import type { StatePaths } from '../state/index.js';
import { buildRunbook } from './build.js';
import type { Runbook } from './model.js';

export interface RunbookInput {
  lab: Lab;
  labFile: string;
  paths: StatePaths;
  runbook: Runbook;
}

/** Reads the lab and builds its runbook, naming paths as the operator typed them. */
export async function loadRunbook(values: { lab?: string; state?: string }, cwd: string): Promise<RunbookInput> {
  const { lab, labFile, paths } = await requireLabAndState(values, cwd);
  const stateDir = relative(cwd, paths.root) || '.';
  return { lab, labFile, paths, runbook: buildRunbook(lab, { labArg: labFile, stateDir }) };
}
