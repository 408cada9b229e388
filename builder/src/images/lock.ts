import { open, readFile, rm } from 'node:fs/promises';
import { UserError } from '../base/index.js';

/** Whether a process with this id runs (EPERM: it does, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One downloader per part file: two syncs appending to the same `.part` would corrupt it.
 * A lock left by a process that no longer runs is taken over.
 */
export async function withPartLock<T>(part: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${part}.lock`;
  for (let i = 0; ; i++) {
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 0) throw err;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError('ERR_IMAGE_CACHE_BUSY', `another builder (pid ${pid}) is downloading ${what} into this cache`, 'wait for it to finish, or use another --cache');
      }
      await rm(lock, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
