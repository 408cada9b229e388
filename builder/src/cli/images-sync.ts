import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { errorText } from './report.js';
import { flagValue } from './lab-context.js';
import { IMAGES_FLAGS, IMAGES_FLAGS_HELP, imagesContext } from './images-flags.js';
import { fetchImage, planSync } from '../images/sync.js';
import { createProgress, formatBytes } from '../images/progress.js';

export const imagesSyncCommand: Command = {
  name: 'images sync',
  help: `Usage: builder images sync [NAME…] [--lab FILE | --manifest FILE] [--cache DIR] [--retries N] [--json]

Downloads the images of the manifest that are not cached yet (all, or the NAMEs given). A cut
transfer resumes where it stopped (HTTP Range), within this run (--retries) or the next one. A
file enters the cache only when its sha256 equals the manifest's checksum; on a mismatch the
download is deleted and nothing is cached. Images without a checksum are downloaded, hashed and
reported, never cached. Hooks in the manifest are listed by \`images list\`, never run.

${IMAGES_FLAGS_HELP}
  --retries N      extra attempts after a cut transfer (default 3)
  --json           print {"ok", "images": [{name, state, path?, sha256?, error?}]} (progress goes to stderr)

Exit codes: 0 all cached, 1 a download failed or did not verify, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals: names } = parseFlags('images sync', argv, { ...IMAGES_FLAGS, retries: { type: 'string' }, json: { type: 'boolean' } }, true);
    const positionals = names as string[];
    const retries = values.retries === undefined ? 3 : Number(values.retries);
    if (!Number.isInteger(retries) || retries < 0) throw new UsageError('ERR_USAGE_FLAG_VALUE', `--retries must be a whole number, got ${values.retries}`);
    const { manifest, cache } = await imagesContext(values, io);
    const unknown = positionals.filter((n) => !manifest.images.some((i) => i.name === n));
    if (unknown.length > 0) throw new UsageError('ERR_IMAGE_UNKNOWN', `no image named ${unknown.join(', ')} in ${manifest.file}`, `use one of: ${manifest.images.map((i) => i.name).join(', ')}`);
    const wanted = positionals.length > 0 ? manifest.images.filter((i) => positionals.includes(i.name)) : manifest.images;
    const plan = await planSync(cache, wanted);
    const failures: string[] = [];
    const rows: { name: string; state: 'cached' | 'downloaded' | 'failed'; path?: string; sha256?: string; error?: { code: string; message: string; hint?: string } }[] = [];
    // Under --json stdout carries one document; the human lines and the progress go to stderr.
    const say = values.json ? io.err : io.out;
    for (const step of plan) {
      if (step.action === 'cached') {
        say(`${step.image.name}: cached ${step.path}\n`);
        rows.push({ name: step.image.name, state: 'cached', path: step.path });
        continue;
      }
      try {
        const r = await fetchImage(cache, step.image, {
          progress: createProgress({ write: say, tty: io.isTTY && !values.json }),
          retries,
          retryDelayMs: 1000,
          log: io.err,
        });
        rows.push({ name: step.image.name, state: 'downloaded', path: r.path, sha256: r.sha256 });
        say(`${step.image.name}: verified sha256 ${r.sha256}, ${formatBytes(r.size)}${r.resumedFrom > 0 ? ` (resumed at ${formatBytes(r.resumedFrom)})` : ''} → ${r.path}\n`);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        io.err(errorText('images sync', err, { lab: flagValue(argv, 'lab') }));
        rows.push({ name: step.image.name, state: 'failed', error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
        failures.push(step.image.name);
      }
    }
    if (values.json) io.out(`${JSON.stringify({ ok: failures.length === 0, cache: cache.root, images: rows }, null, 2)}\n`);
    if (failures.length > 0) {
      io.err(`${failures.length} of ${plan.length} image${plan.length === 1 ? '' : 's'} not cached: ${failures.join(', ')}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};
