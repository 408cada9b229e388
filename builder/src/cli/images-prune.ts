import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { IMAGES_FLAGS, IMAGES_FLAGS_HELP, imagesContext } from './images-flags.js';
import { applyPrune, planPrune } from '../images/prune.js';
import { formatBytes } from '../images/progress.js';

export const imagesPruneCommand: Command = {
  name: 'images prune',
  help: `Usage: builder images prune [--lab FILE | --manifest FILE] [--cache DIR] [--keep-partial] [--dry-run]

${IMAGES_FLAGS_HELP}
  --keep-partial   keep unfinished downloads (so a later sync resumes them)
  --dry-run        say what would be removed, remove nothing`,
  async run(argv, io) {
    const { values } = parseFlags('images prune', argv, { ...IMAGES_FLAGS, 'keep-partial': { type: 'boolean' }, 'dry-run': { type: 'boolean' } });
    const { manifest, cache } = await imagesContext(values, io);
    const plan = await planPrune(cache, manifest.images, { partials: values['keep-partial'] !== true });
    const verb = values['dry-run'] ? 'would remove' : 'removed';
    for (const b of plan.blobs) io.out(`${verb} ${b.sha256}${b.origin?.name ? ` (${b.origin.name})` : ''}  ${formatBytes(b.size)}\n`);
    for (const p of plan.partials) io.out(`${verb} ${p.path}  ${formatBytes(p.size)}\n`);
    if (!values['dry-run']) await applyPrune(cache, plan);
    io.out(`${verb} ${plan.blobs.length + plan.partials.length} file(s), ${formatBytes(plan.bytes)}\n`);
    return EXIT.ok;
  },
};
