import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../state/index.js';
import type { RenderedFile } from './plan.js';

export type Difference = { path: string; change: 'missing' | 'content' | 'mode' };

/** Writes every file atomically (temp file, fsync, rename) with its mode. */
export async function applyRender(outDir: string, files: RenderedFile[]): Promise<void> {
  for (const f of files) await writeFileAtomic(join(outDir, f.path), f.content, { mode: f.mode });
}

/** Compares the planned files with what is on disk; reports paths only, never contents. */
export async function checkRender(outDir: string, files: RenderedFile[]): Promise<Difference[]> {
  const diffs: Difference[] = [];
  for (const f of files) {
    const path = join(outDir, f.path);
    let current: Buffer;
    try {
      current = await readFile(path);
    } catch {
      diffs.push({ path: f.path, change: 'missing' });
      continue;
    }
    if (!current.equals(Buffer.from(f.content, 'utf8'))) diffs.push({ path: f.path, change: 'content' });
    else if (((await stat(path)).mode & 0o777) !== f.mode) diffs.push({ path: f.path, change: 'mode' });
  }
  return diffs;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
