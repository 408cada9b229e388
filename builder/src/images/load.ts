import { dirname, join, resolve } from 'node:path';
import { UserError, readInput } from '../base/index.js';
import { formatManifestProblem, parseManifest, type ImageManifest } from './manifest.js';

/** A lab's image manifest sits beside its lab file: `<lab dir>/images.yaml`. */
export const MANIFEST_FILE = 'images.yaml';

export function manifestPathFor(labFile: string, cwd: string): string {
  return join(dirname(resolve(cwd, labFile)), MANIFEST_FILE);
}

/** Reads and checks a manifest; every problem is listed in one error naming file, line and field. */
export async function loadManifest(file: string, cwd: string): Promise<ImageManifest> {
  const { text, abs, shown } = await readInput(file, cwd, 'image manifest', `write ${MANIFEST_FILE} beside the lab file (see examples/genesis/images.yaml) or pass --manifest FILE`);
  const result = parseManifest(text, shown);
  if (!result.ok) {
    throw new UserError('ERR_MANIFEST_INVALID', `${shown} is not a valid image manifest:\n${result.problems.map((p) => `  ${formatManifestProblem(p)}`).join('\n')}`, 'fix the fields named above');
  }
  return { ...result.manifest, file: abs };
}
