import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../base/index.js';
import type { StatePaths } from '../state/index.js';

/** Reads the collector's bearer token (written by `builder secrets init`). Never prints it. */
export async function readCollectorToken(paths: StatePaths): Promise<string> {
  let text: string;
  try {
    text = await readFile(paths.collectorToken, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      'ERR_COLLECTOR_TOKEN_MISSING',
      code === 'ENOENT' ? `the lab has no collector token yet (${paths.collectorToken} is missing)` : `cannot read ${paths.collectorToken}: ${code}`,
      code === 'ENOENT' ? "create the lab's secrets with `builder secrets init`" : 'check the permissions of the state directory',
    );
  }
  const token = text.trim();
  if (!token) throw new UserError('ERR_COLLECTOR_TOKEN_EMPTY', `${paths.collectorToken} is empty`, 'restore it from your backup or recreate the secrets');
  return token;
}

export async function ensureDbDir(paths: StatePaths): Promise<void> {
  await mkdir(dirname(paths.collectorDb), { recursive: true, mode: 0o700 });
}

/**
 * The read-only token `collect` prints: derived from the collector token (so it needs no state
 * of its own and changes when that token is rotated), accepted for reads and never for writes —
 * the collector token cannot be recovered from it.
 */
export function readOnlyToken(token: string): string {
  return `ro-${createHash('sha256').update('lab-collector-read-only\0').update(token).digest('base64url').slice(0, 32)}`;
}
