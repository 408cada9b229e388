import { join } from 'node:path';
import { writeFileAtomic } from '../state/index.js';

/** Writes the two runbook files, each atomically (temp file, fsync, rename). */
export async function writeRunbook(dir: string, markdown: string, html: string): Promise<{ markdown: string; html: string }> {
  const md = join(dir, 'runbook.md');
  const page = join(dir, 'runbook.html');
  await writeFileAtomic(md, markdown);
  await writeFileAtomic(page, html);
  return { markdown: md, html: page };
}
