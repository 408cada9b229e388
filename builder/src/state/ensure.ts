import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_GITIGNORE, type StatePaths } from './paths.js';

/** Creates the state directory (with its .gitignore) and the secrets directory (0700). */
export async function ensureStateDir(paths: StatePaths): Promise<void> {
  await mkdir(paths.root, { recursive: true });
  const ignore = join(paths.root, '.gitignore');
  try {
    await access(ignore);
  } catch {
    await writeFile(ignore, STATE_GITIGNORE, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  await mkdir(paths.secrets, { recursive: true, mode: 0o700 });
}
