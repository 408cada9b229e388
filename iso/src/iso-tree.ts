// The base ISO's whole tree copied out, with some files replaced: what a grub ISO is rebuilt from
// (see RebuildInput.tree for why it is not loaded with -indev).
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import * as xorriso from './tools/xorriso.js';

/** The boot catalogue's path from the base's mkisofs report (`-c PATH`); xorriso writes it anew. Pure. */
export function catalogPath(report: string[][]): string | undefined {
  return report.find((l) => l[0] === '-c')?.[1];
}

/** Copies the tree of `iso` to `dest` and moves each replacement file (ISO path → file) into it. */
export async function treeWith(iso: string, report: string[][], map: [string, string][], dest: string): Promise<void> {
  await xorriso.extractTree(iso, dest, catalogPath(report));
  for (const [isoPath, file] of map) await rename(file, join(dest, isoPath));
}
