// One way to bundle our TypeScript for Node, shared by the build, the tests and the benchmarks:
// templates imported with `?raw` become strings, npm dependencies stay external (resolved from
// the repository's node_modules at run time), and `require` works inside the ESM output.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild plugin: `import text from './x.txt?raw'` inlines the file as a string. */
export const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

export async function npmDependencies() {
  const pkg = JSON.parse(await readFile(resolve(repoRoot, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies ?? {});
}

export const esmRequireBanner = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * Bundles one entry to an ESM file for Node 20. The output must live inside the repository so
 * Node finds the external npm packages. Extra esbuild options override the defaults.
 */
export async function bundleNodeEsm({ entry, outfile, ...extra }) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: await npmDependencies(),
    plugins: [rawText],
    logLevel: 'warning',
    banner: { js: esmRequireBanner },
    ...extra,
  });
  return outfile;
}
