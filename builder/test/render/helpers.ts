import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { parseLab, type Lab } from '@lab/shared';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';

export const ARGOCD_FIXTURE = resolve('builder/test/render/fixtures/argocd-install.yaml');
export const CILIUM_FIXTURE = resolve('builder/test/render/fixtures/cilium-install.yaml');

/** The render's pinned manifests as the tests give them: the Argo CD and Cilium stand-ins. */
export async function pinnedFixtures(): Promise<{ argocd: { text: string; source: string }; cilium: { text: string; source: string } }> {
  return {
    argocd: { text: await readFile(ARGOCD_FIXTURE, 'utf8'), source: ARGOCD_FIXTURE },
    cilium: { text: await readFile(CILIUM_FIXTURE, 'utf8'), source: CILIUM_FIXTURE },
  };
}

/** The example lab copied into a temp directory, with secrets initialised beside it. */
export async function labWithSecrets(prefix = 'render-'): Promise<{ dir: string; lab: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const lab = join(dir, 'lab.yaml');
  await writeFile(lab, await readFile('examples/genesis/lab.yaml', 'utf8'));
  const io = memoryIo(dir);
  const code = await dispatch(['secrets', 'init', '--lab', lab], io);
  if (code !== 0) throw new Error(`secrets init failed: ${io.stderr}`);
  return { dir, lab };
}

export async function run(dir: string, ...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** The example lab as plain data, edited by `edit`, parsed again (a test fails on any problem). */
export async function variant<T>(edit: (data: T) => void): Promise<Lab> {
  const data = parse(await readFile('examples/genesis/lab.yaml', 'utf8')) as T;
  edit(data);
  const r = parseLab(stringify(data), 'variant.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.lab;
}
