#!/usr/bin/env node
// The bundle is built by `npm run build` (scripts/build.mjs); the README's commands run it first.
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('builder: not built yet — run `npm run build` in the repository root (or `npm run example`).\n');
    process.exit(2);
  }
  throw err;
});
