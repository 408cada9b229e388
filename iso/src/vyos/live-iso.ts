import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mksquashfs } from '../tools/squashfs.js';
import { extract, listFiles, pvdInfo } from '../tools/xorriso.js';

/** What a remaster of a live ISO needs to know about the base. */
export interface LiveIsoFacts {
  /** Every regular file, as absolute ISO paths. */
  files: string[];
  /** Text of the requested files that exist, by ISO path. */
  texts: Map<string, string>;
  /** The primary volume's creation time (seconds since 1970, UTC). */
  modified: number;
}

/** Lists the ISO, reads the small text files asked for (those present), and its PVD date. */
export async function readLiveIso(iso: string, textFiles: string[], scratch: string): Promise<LiveIsoFacts> {
  const files = await listFiles(iso);
  const want = textFiles.filter((f) => files.includes(f));
  await mkdir(scratch, { recursive: true });
  const local = (f: string, i: number) => join(scratch, `${i}-${basename(f)}`);
  if (want.length > 0) await extract(iso, want.map((f, i) => [f, local(f, i)]));
  const texts = new Map<string, string>();
  for (const [i, f] of want.entries()) texts.set(f, await readFile(local(f, i), 'utf8'));
  // pvdInfo's keys are letters and spaces ("Modif. Time" is not one); creation and modification
  // times of a freshly mastered ISO are the same.
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec((await pvdInfo(iso))['Creation Time'] ?? '');
  const modified = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 : 0;
  return { files, texts, modified };
}

/** A read-only live-boot layer from a directory (squashfs, xz, owned by root, fixed times). */
export async function buildLayerImage(root: string, out: string, epoch: number): Promise<void> {
  await mksquashfs(root, out, 'xz', epoch);
}
