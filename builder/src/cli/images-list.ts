import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { IMAGES_FLAGS, IMAGES_FLAGS_HELP, imagesContext } from './images-flags.js';
import { listImages } from '../images/list.js';
import { formatBytes } from '../images/progress.js';

export const imagesListCommand: Command = {
  name: 'images list',
  help: `Usage: builder images list [--lab FILE | --manifest FILE] [--cache DIR] [--json]

${IMAGES_FLAGS_HELP}
  --json           print the rows as JSON

Hooks written in the manifest (the reference lab's preUpload/transform scripts) are shown but
never run: make-usb does the embedding itself.`,
  async run(argv, io) {
    const { values } = parseFlags('images list', argv, { ...IMAGES_FLAGS, json: { type: 'boolean' } });
    const { manifest, cache } = await imagesContext(values, io);
    const result = await listImages(cache, manifest.images);
    if (values.json) {
      io.out(`${JSON.stringify({ manifest: manifest.file, cache: cache.root, ...result }, null, 2)}\n`);
      return EXIT.ok;
    }
    io.out(`manifest ${manifest.file}\ncache    ${cache.root}\n\n`);
    for (const r of result.images) {
      io.out(`${r.name}  [${r.state}]  ${r.type}${r.size !== undefined ? `  ${formatBytes(r.size)}` : ''}\n`);
      io.out(`  url     ${r.url}${r.debian ? ` (the Debian package; the image is its ${r.debian.file}: import only)` : ''}\n`);
      if (r.serve) io.out(`  serve   ${r.serve} (PXE boot tree)\n`);
      if (r.schematicId) io.out(`  schematic ${r.schematicId}\n`);
      io.out(`  sha256  ${r.sha256 ?? '(not pinned: sync will print the hash, never cache it)'}\n`);
      if (r.path) io.out(`  path    ${r.path}\n`);
      if (r.destination) io.out(`  destination ${r.destination} (recorded)\n`);
      for (const h of r.hooks) io.out(`  hook    ${h.kind}: ${h.hook.name} → ${h.hook.command}${h.hook.args ? ` ${h.hook.args.join(' ')}` : ''} (recorded, not run)\n`);
    }
    if (result.unreferenced.length > 0) {
      io.out(`\nnot in the manifest (\`builder images prune\` removes them):\n`);
      for (const u of result.unreferenced) io.out(`  ${u.sha256}  ${formatBytes(u.size)}${u.name ? `  was ${u.name}` : ''}\n`);
    }
    return EXIT.ok;
  },
};
