import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { cachePaths, defaultCacheDir } from '../images/cache.js';
import { verifyCache } from '../images/verify.js';
import { resolve } from 'node:path';

export const imagesVerifyCommand: Command = {
  name: 'images verify',
  help: `Usage: builder images verify [--cache DIR] [--repair] [--json]

Reads every file in the cache and checks its sha256 against the name it is stored under.

  --cache DIR   the cache directory (default $XDG_CACHE_HOME/lab-builder/images or ~/.cache/lab-builder/images)
  --repair      remove files that fail, so \`builder images sync\` fetches them again
  --json        print {"ok", "files": [{name, sha256, ok, actual?, removed?}]}

Exit codes: 0 all good, 1 a file failed, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('images verify', argv, { cache: { type: 'string' }, repair: { type: 'boolean' }, json: { type: 'boolean' } });
    const cache = cachePaths(values.cache ? resolve(io.cwd, values.cache) : defaultCacheDir(io.env));
    const rows = await verifyCache(cache, { repair: values.repair === true });
    const bad = rows.filter((r) => !r.ok).length;
    if (values.json) {
      io.out(`${JSON.stringify({ ok: bad === 0, cache: cache.root, files: rows }, null, 2)}\n`);
      return bad > 0 ? EXIT.failed : EXIT.ok;
    }
    for (const r of rows) {
      const label = r.name ?? r.sha256.slice(0, 12);
      if (r.ok) io.out(`ok       ${label}  ${r.sha256}\n`);
      else io.err(`CORRUPT  ${label}  stored as ${r.sha256}, content hashes to ${r.actual}${r.removed ? ' (removed)' : ''}\n`);
    }
    io.out(`${rows.length} file${rows.length === 1 ? '' : 's'} checked, ${bad} corrupt\n`);
    if (bad > 0 && values.repair !== true) io.err('  how to fix: run `builder images verify --repair`, then `builder images sync`\n');
    return bad > 0 ? EXIT.failed : EXIT.ok;
  },
};
