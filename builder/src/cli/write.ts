import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { runWrite } from '../write/index.js';
import { EXIT } from './exit.js';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Io } from '../base/index.js';
import { chooseLab, shownPath } from './lab-context.js';
import { statePaths } from '../state/index.js';

/** The write command for the media make-usb wrote for this directory's lab, by their real names. */
async function writeExample(io: Io, image: string | undefined): Promise<string> {
  const lab = chooseLab([], io.cwd, io.env);
  const media = statePaths(resolve(io.cwd, lab.file)).media;
  const isos = image ? [image] : (await readdir(media).catch(() => [] as string[])).filter((f) => f.endsWith('.iso')).map((f) => shownPath(io.cwd, join(media, f)));
  const shown = isos.length > 0 ? isos : [`${shownPath(io.cwd, media)}/<host>-<target>.iso (make-usb prints it, such as cp-1-um760.iso)`];
  return `${shown.map((f) => `\`builder write --image ${f} --device /dev/sdX\``).join(', or ')}; \`lsblk -d -o NAME,SIZE,TRAN,MODEL\` shows the stick (TRAN usb)`;
}

export const writeCommand: Command = {
  name: 'write',
  help: `Usage: builder write --image FILE --device DEV [--yes] [--json]

Writes FILE (such as the output of builder make-usb) to the whole device DEV. Refuses devices
that are not removable or on USB, are mounted or hold this computer's system (/, /boot, swap,
LVM/RAID/encryption), are partitions, read-only, or smaller than the image. Asks before writing
unless --yes; shows progress; fsyncs; drops the device's cache and reads the image back,
comparing sha256.

  --image FILE   the image to write
  --device DEV   the whole disk, such as /dev/sdb or /dev/disk/by-id/usb-…
  --yes          do not ask (for scripts; the checks still apply)
  --json         print {"ok", "outcome", "image", "device"} (the question and progress go to stderr)

Exit codes: 0 written and verified, 1 refused, declined or verification failed, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('write', argv, { image: { type: 'string' }, device: { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' } });
    if (!values.image || !values.device) throw new UsageError('ERR_USAGE_FLAG_MISSING', '--image FILE and --device DEV are both required', await writeExample(io, values.image));
    const image = resolve(io.cwd, values.image);
    // Under --json stdout carries one document: the command's own lines go to stderr.
    const outcome = await runWrite(image, values.device, values.yes === true, values.json ? { ...io, out: io.err } : io);
    if (values.json) io.out(`${JSON.stringify({ ok: outcome === 'written', outcome, image, device: values.device }, null, 2)}\n`);
    return outcome === 'written' ? EXIT.ok : EXIT.failed;
  },
};
