// Builds the agent as a Node single executable (what the gateway stick should carry: VyOS has no
// node), the documented way: --experimental-sea-config, a copy of this node, postject. Cached
// under test/fixtures/out/agent-sea/<hash of agent.cjs>/.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const AGENT_CJS = join(ROOT, 'agent/dist/agent.cjs');

/** agent/dist/agent.cjs, built when missing (vitest alone does not run the build). */
export async function ensureAgentBundle(): Promise<string> {
  if (!existsSync(AGENT_CJS)) await execa('node', [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
  return AGENT_CJS;
}

export async function buildAgentSea(): Promise<string> {
  const bundle = await ensureAgentBundle();
  const hash = createHash('sha256').update(await readFile(bundle)).update(process.version).digest('hex').slice(0, 16);
  const dir = join(ROOT, 'test/fixtures/out/agent-sea', hash);
  const exe = join(dir, 'lab-agent');
  if (existsSync(exe)) return exe;
  const work = `${dir}.work`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'sea-config.json'), JSON.stringify({ main: bundle, output: join(work, 'agent.blob'), disableExperimentalSEAWarning: true }));
  await execa(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')]);
  const tmp = join(work, 'lab-agent');
  await copyFile(process.execPath, tmp);
  await chmod(tmp, 0o755);
  await execa('strip', [tmp]);
  await execa(join(ROOT, 'node_modules/.bin/postject'), [tmp, 'NODE_SEA_BLOB', join(work, 'agent.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2']);
  await mkdir(dir, { recursive: true });
  await rename(tmp, exe);
  await rm(work, { recursive: true, force: true });
  return exe;
}
