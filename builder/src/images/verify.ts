import { sha256File } from './hash.js';
import { listBlobs, removeBlob, restamp, type CachePaths } from './cache.js';

export interface VerifyRow {
  sha256: string;
  path: string;
  name?: string;
  ok: boolean;
  actual: string;
  removed: boolean;
}

/** Rehashes every cached file (and stamps the ones found right); with `repair`, a file whose content no longer matches its name is removed. */
export async function verifyCache(c: CachePaths, options: { repair: boolean; onFile?: (path: string) => void }): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const blob of await listBlobs(c)) {
    options.onFile?.(blob.path);
    const actual = await sha256File(blob.path);
    const ok = actual === blob.sha256;
    if (!ok && options.repair) await removeBlob(c, blob.sha256);
    if (ok && blob.origin) await restamp(c, blob.origin);
    const row: VerifyRow = { sha256: blob.sha256, path: blob.path, ok, actual, removed: !ok && options.repair };
    if (blob.origin?.name) row.name = blob.origin.name;
    rows.push(row);
  }
  return rows;
}
