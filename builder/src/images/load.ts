import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError, EXIT } from '../cli/errors.js';
import { formatManifestProblem, parseManifest, type ImageManifest } from './manifest.js';

/** A lab's image manifest sits beside its lab file: `<lab dir>/images.yaml`. */
export const MANIFEST_FILE = 'images.yaml';

export function manifestPathFor(labFile: string, cwd: string): string {
  return join(dirname(resolve(cwd, labFile)), MANIFEST_FILE);
}

/** Reads and checks a manifest; every problem is listed in one error naming file, line and field. */
export async function loadManifest(file: string, cwd: string): Promise<ImageManifest> {
  const abs = resolve(cwd, file);
  const shown = relative(cwd, abs) || abs;
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read image manifest ${shown}: ${code === 'ENOENT' ? 'no such file' : String(code)}`,
      `write ${MANIFEST_FILE} beside the lab file (see examples/genesis/images.yaml) or pass --manifest FILE`,
      EXIT.usage,
    );
  }
  const result = parseManifest(text, shown);
  if (!result.ok) {
    throw new UserError(`${shown} is not a valid image manifest:\n${result.problems.map((p) => `  ${formatManifestProblem(p)}`).join('\n')}`, 'fix the fields named above');
  }
  return { ...result.manifest, file: abs };
}
