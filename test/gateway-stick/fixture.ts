// A lab, its secrets and a VyOS stand-in ISO for the gateway-stick tests.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLab, type Lab } from '@lab/shared';
import { applySecretsPlan, loadSecrets, planSecrets, secretPaths, type LabSecrets } from '../../builder/src/secrets/index.js';
import { statePaths, type StatePaths } from '../../builder/src/state/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE_LAB = join(ROOT, 'examples/genesis/lab.yaml');

export async function exampleLab(): Promise<Lab> {
  const parsed = parseLab(await readFile(EXAMPLE_LAB, 'utf8'), EXAMPLE_LAB);
  if (!parsed.ok) throw new Error(`example lab invalid: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.lab;
}

/** A fresh state directory with every secret created (as `builder secrets init` would). */
export async function freshSecrets(): Promise<{ paths: StatePaths; secrets: LabSecrets }> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-stick-'));
  const paths = statePaths(join(dir, 'lab.yaml'));
  await applySecretsPlan(paths, planSecrets(secretPaths(paths), (p) => existsSync(p), new Date('2026-01-01T00:00:00Z')));
  return { paths, secrets: await loadSecrets(paths) };
}
