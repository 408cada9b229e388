import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { IMAGES_FLAGS, IMAGES_FLAGS_HELP, imagesContext } from './images-flags.js';
import { applyPrune, planPrune } from '../images/prune.js';
import { formatBytes } from '../images/progress.js';

export const imagesPruneCommand: Command = {
  name: 'images prune',
  help: `Usage: builder images prune [--lab FILE | --manifest FILE] [--cache DIR] [--keep-partial] [--dry-run] [--json]

${IMAGES_FLAGS_HELP}
  --keep-partial   keep unfinished downloads (so a later sync resumes them)
  --dry-run        say what would be removed, remove nothing
  --json           print {"ok", "dryRun", "removed": [{path|sha256, size}], "bytes"}

Exit codes: 0 pruned (or nothing to prune), 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('images prune', argv, { ...IMAGES_FLAGS, 'keep-partial': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } });
    const { manifest, cache } = await imagesContext(values, io);
    const plan = await planPrune(cache, manifest.images, { partials: values['keep-partial'] !== true });
    const verb = values['dry-run'] ? 'would remove' : 'removed';
    if (values.json) {
      if (!values['dry-run']) await applyPrune(cache, plan);
      const removed = [...plan.blobs.map((b) => ({ sha256: b.sha256, name: b.origin?.name, size: b.size })), ...plan.partials.map((p) => ({ path: p.path, size: p.size }))];
      io.out(`${JSON.stringify({ ok: true, dryRun: values['dry-run'] === true, removed, bytes: plan.bytes }, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const b of plan.blobs) io.out(`${verb} ${b.sha256}${b.origin?.name ? ` (${b.origin.name})` : ''}  ${formatBytes(b.size)}\n`);
    for (const p of plan.partials) io.out(`${verb} ${p.path}  ${formatBytes(p.size)}\n`);
    if (!values['dry-run']) await applyPrune(cache, plan);
    io.out(`${verb} ${plan.blobs.length + plan.partials.length} file(s), ${formatBytes(plan.bytes)}\n`);
    return EXIT.ok;
  },
};
