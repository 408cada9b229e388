import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Says in words why a file could not be read. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return String(code ?? (err as Error | undefined)?.message ?? 'error');
  }
}

/**
 * Reads a text file the operator named. An unreadable file is a usage error that says
 * which file, why, and `hint`. `shown` is the path as the operator would write it from `cwd`.
 */
export async function readInput(file: string, cwd: string, what: string, hint: string): Promise<{ text: string; abs: string; shown: string }> {
  const abs = resolve(cwd, file);
  const shown = relative(cwd, abs) || abs;
  try {
    return { text: await readFile(abs, 'utf8'), abs, shown };
  } catch (err) {
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read ${what} ${shown}: ${fsReason(err)}`, hint, { cause: err });
  }
}
