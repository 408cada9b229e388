// Bundles the CLI (ESM, npm packages left external) and the agent (one CommonJS file with every
// dependency inside, ready for a Node single executable). Templates are inlined as text.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', plugins: [rawText], logLevel: 'warning' };

await build({
  ...common,
  entryPoints: [resolve(root, 'builder/src/cli/main.ts')],
  outfile: resolve(root, 'builder/dist/cli.js'),
  format: 'esm',
  external: Object.keys(pkg.dependencies ?? {}),
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
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
