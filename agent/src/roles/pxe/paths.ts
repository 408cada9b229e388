import { realpath } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

/**
 * Maps a client's file name onto a path under `root`, or null when the name is absolute, climbs
 * with `..`, carries a NUL or backslash, or resolves (through symlinks) outside `root`.
 * A missing file resolves to its would-be path so the caller answers "not found".
 */
export async function resolveUnderRoot(root: string, name: string): Promise<string | null> {
  if (!isSafeName(name)) return null;
  const realRoot = await realpath(root);
  const candidate = join(realRoot, name);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return candidate.startsWith(realRoot + sep) ? candidate : null;
  }
  return real === realRoot || real.startsWith(realRoot + sep) ? real : null;
}

/** Pure part of the check: relative, no `..` segment, no NUL, no backslash. */
export function isSafeName(name: string): boolean {
  if (name.length === 0 || name.length > 1024) return false;
  if (isAbsolute(name) || name.includes('\0') || name.includes('\\')) return false;
  return !name.split('/').some((seg) => seg === '..');
}
