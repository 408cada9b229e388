import { parseLab, formatProblem, type Lab, type LocatedProblem, type LocatedWarning } from '@lab/shared';
import { UserError, readInput } from '../base/index.js';

/** A lab file is tens of KiB; 1 MiB is thousands of hosts, and parsing stays small and quick. */
export const MAX_LAB_BYTES = 1 << 20;
import { DEFAULT_LAB_FILE, statePathsFor, type StatePaths } from '../state/index.js';

export type ReadLabResult = { ok: true; lab: Lab; file: string; warnings: LocatedWarning[] } | { ok: false; file: string; problems: LocatedProblem[]; warnings: LocatedWarning[] };

/** Reads and checks a lab file. Unreadable files are usage errors (exit 2), bad labs are problems. */
export async function readLab(file: string, cwd: string): Promise<ReadLabResult> {
  const { text, shown } = await readInput(file, cwd, 'lab file', 'pass the lab file with --lab FILE (default examples/genesis/lab.yaml)', MAX_LAB_BYTES);
  if (text.includes('\u0000')) {
    return { ok: false, file: shown, problems: [{ file: shown, line: 1, column: 1, path: [], message: 'the file is binary, not YAML', fix: 'point --lab at the lab.yaml text file' }], warnings: [] };
  }
  const result = parseLab(text, shown);
  return result.ok ? { ok: true, lab: result.lab, file: shown, warnings: result.warnings } : { ok: false, file: shown, problems: result.problems, warnings: result.warnings };
}

/** For commands that need a valid lab: throws a UserError listing every problem. */
export async function requireLab(file: string, cwd: string): Promise<{ lab: Lab; file: string }> {
  const result = await readLab(file, cwd);
  if (!result.ok) {
    throw new UserError('ERR_LAB_INVALID', `${result.file} is not a valid lab:\n${result.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, 'fix the lab file (`builder validate` lists the same problems)');
  }
  return { lab: result.lab, file: result.file };
}

/** For commands taking `--lab` and `--state`: the valid lab, the lab file as given, and its state paths. */
export async function requireLabAndState(flags: { lab?: string | undefined; state?: string | undefined }, cwd: string): Promise<{ lab: Lab; labFile: string; paths: StatePaths }> {
  const labFile = flags.lab ?? DEFAULT_LAB_FILE;
  const { lab } = await requireLab(labFile, cwd);
  return { lab, labFile, paths: statePathsFor(flags, cwd) };
}
