import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
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

/** Input files are text the operator writes: a lab of a few hundred hosts is tens of KiB. */
export const MAX_INPUT_BYTES = 4 << 20;

/**
 * Reads a text file the operator named. An unreadable file is a usage error that says
 * which file, why, and `hint`. `shown` is the path as the operator gave it (never rewritten into
 * a `../` form relative to cwd).
 * Only a regular file of at most `maxBytes` is read: a FIFO or a device would block or never end
 * (it is opened without blocking, then refused), and an outsized file is refused before parsing.
 */
export async function readInput(file: string, cwd: string, what: string, hint: string, maxBytes = MAX_INPUT_BYTES): Promise<{ text: string; abs: string; shown: string }> {
  const abs = resolve(cwd, file);
  const shown = file === '' ? abs : file;
  let fh;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read ${what} ${shown}: ${fsReason(err)}`, hint, { cause: err });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'a device';
      throw new UsageError('ERR_INPUT_NOT_REGULAR', `cannot read ${what} ${shown}: it is ${kind}, not a regular file`, hint);
    }
    if (st.size > maxBytes) {
      throw new UsageError('ERR_INPUT_TOO_LARGE', `cannot read ${what} ${shown}: it is ${st.size} bytes, more than the ${maxBytes} bytes (${maxBytes >> 20} MiB) allowed`, `${hint}; a ${what} is far smaller`);
    }
    const text = await fh.readFile({ encoding: 'utf8' });
    // The file grew between stat and read: the same limit holds.
    if (Buffer.byteLength(text) > maxBytes) throw new UsageError('ERR_INPUT_TOO_LARGE', `cannot read ${what} ${shown}: it grew past ${maxBytes} bytes while being read`, hint);
    return { text, abs, shown };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read ${what} ${shown}: ${fsReason(err)}`, hint, { cause: err });
  } finally {
    await fh.close();
  }
}
