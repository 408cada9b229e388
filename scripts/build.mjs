// Bundles the CLI (ESM, npm packages left external) and the agent (one CommonJS file with every
// dependency inside, ready for a Node single executable). Templates are inlined as text.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { esmRequireBanner, npmDependencies, rawText, repoRoot as root } from './bundle.mjs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', plugins: [rawText], logLevel: 'warning' };

await build({
  ...common,
  // Split so each command's module loads only when that command runs (fast start-up).
  // The collector's writer thread is its own entry: a Worker starts it by file
  // (@lab/builder/collector-writer, builder/package.json), in the CLI and under test alike.
  // The rehearsal's demo APIs run as their own process in the laptop namespace (rehearse-demo-apis).
  entryPoints: { cli: resolve(root, 'builder/src/cli/main.ts'), 'collector-writer': resolve(root, 'builder/src/collector/writer-thread.ts'), 'rehearse-demo-apis': resolve(root, 'builder/src/rehearse/demo-apis/main.ts') },
  outdir: resolve(root, 'builder/dist'),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  external: await npmDependencies(),
  banner: { js: esmRequireBanner },
});

const agentEntry = resolve(root, 'agent/src/main.ts');
try {
  await readFile(agentEntry);
  await build({
    ...common,
    entryPoints: [agentEntry],
    outfile: resolve(root, 'agent/dist/agent.cjs'),
    format: 'cjs',
    minify: true,
    sourcemap: false,
  });
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}

// The agent as a Node single executable (agent/dist/lab-agent): node's SEA blob from the CommonJS
// bundle, injected into a stripped copy of this node with postject. Rebuilt only when the bundle
// or node changed (injection takes seconds); skipped with the reason when a part is missing.
await buildAgentExecutable();

async function buildAgentExecutable() {
  const { createHash } = await import('node:crypto');
  const { copyFile, writeFile, rm, chmod } = await import('node:fs/promises');
  const { execFileSync } = await import('node:child_process');
  const dist = resolve(root, 'agent/dist');
  const bundle = resolve(dist, 'agent.cjs');
  const exe = resolve(dist, 'lab-agent');
  const stamp = resolve(dist, 'lab-agent.stamp');
  const skip = (why) => console.log(`build: agent single executable skipped: ${why}`);
  if (process.env.LAB_SKIP_SEA) return skip('LAB_SKIP_SEA is set');
  let code;
  try {
    code = await readFile(bundle);
  } catch {
    return skip('agent/dist/agent.cjs was not built');
  }
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 && !(major === 18 && minor >= 16)) return skip(`node ${process.versions.node} has no --experimental-sea-config (needs 18.16 or 20+)`);
  let postject;
  try {
    postject = await import('postject');
  } catch {
    return skip('the postject package is not installed (npm ci)');
  }
  const key = createHash('sha256').update(code).update(process.version).update(process.execPath).update('code-cache').digest('hex');
  try {
    if ((await readFile(stamp, 'utf8')) === key) return;
  } catch {
    // no stamp: build
  }
  const blob = resolve(dist, 'lab-agent.blob');
  const seaConfig = resolve(dist, 'sea-config.json');
  await writeFile(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'ignore' });
  const tmp = `${exe}.tmp`;
  await copyFile(process.execPath, tmp);
  await chmod(tmp, 0o755);
  try {
    // Symbols are not needed at run time and are a tenth of node's size.
    execFileSync('strip', [tmp], { stdio: 'ignore' });
  } catch {
    console.log('build: strip not found; the single executable keeps its symbols');
  }
  await postject.inject(tmp, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
  const { rename } = await import('node:fs/promises');
  await rename(tmp, exe);
  await rm(blob, { force: true });
  await rm(seaConfig, { force: true });
  await writeFile(stamp, key);
}
