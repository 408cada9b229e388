import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `target`, so the final rename stays on one filesystem. */
export function tempBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

/** fsyncs a file's data and metadata. */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Renames an already fsynced `tmp` over `target`, and fsyncs the directory. */
export async function renameSynced(tmp: string, target: string): Promise<void> {
  await rename(tmp, target);
  const dir = await open(dirname(target), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** fsyncs `tmp`, renames it over `target`, and fsyncs the directory. */
export async function commitFile(tmp: string, target: string): Promise<void> {
  await fsyncFile(tmp);
  await renameSynced(tmp, target);
}

export async function writeFileAtomic(target: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = tempBeside(target);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
  try {
    await commitFile(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
