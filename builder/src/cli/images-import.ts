import { resolve } from 'node:path';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { IMAGES_FLAGS, IMAGES_FLAGS_HELP, imagesContext } from './images-flags.js';
import { importFile } from '../images/import.js';

export const imagesImportCommand: Command = {
  name: 'images import',
  help: `Usage: builder images import FILE [--name NAME] [--lab FILE | --manifest FILE] [--cache DIR] [--json]

Copies FILE into the cache if its sha256 equals the checksum of an image in the manifest (of
NAME, when given). Otherwise nothing is cached and the file's hash is printed.

${IMAGES_FLAGS_HELP}
  --name NAME      the manifest image FILE must be
  --json           print {"ok", "name", "imported", "sha256", "path"}

FILE must be a regular file. Interrupted (Ctrl-C, SIGTERM), it removes its partial copy and exits
130; copies left by a builder killed outright are removed by the next import.

Exit codes: 0 imported (or already cached), 1 no matching checksum or not a regular file,
2 usage error, 130 interrupted.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('images import', argv, { ...IMAGES_FLAGS, name: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'give exactly one FILE', '`builder images import path/to/image.iso --name NAME`');
    const { manifest, cache } = await imagesContext(values, io);
    // Ctrl-C mid-copy: stop, remove the partial copy, then exit (130, as a shell reports SIGINT).
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let r;
    try {
      r = await importFile(cache, manifest.images, resolve(io.cwd, positionals[0]!), values.name, undefined, abort.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    if (values.json) io.out(`${JSON.stringify({ ok: true, name: r.image.name, imported: !r.alreadyCached, sha256: r.sha256, path: r.path }, null, 2)}\n`);
    else io.out(`${r.image.name}: ${r.alreadyCached ? 'already cached' : 'imported'}, sha256 ${r.sha256} → ${r.path}\n`);
    return EXIT.ok;
  },
};
