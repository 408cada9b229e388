import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { runWrite } from '../write/index.js';
import { EXIT } from './exit.js';
import { resolve } from 'node:path';

export const writeCommand: Command = {
  name: 'write',
  help: `Usage: builder write --image FILE --device DEV [--yes]

Writes FILE (such as the output of builder make-usb) to the whole device DEV. Refuses devices
that are not removable or on USB, are mounted or hold this computer's system (/, /boot, swap,
LVM/RAID/encryption), are partitions, read-only, or smaller than the image. Asks before writing
unless --yes; shows progress; fsyncs; drops the device's cache and reads the image back,
comparing sha256.

  --image FILE   the image to write
  --device DEV   the whole disk, such as /dev/sdb or /dev/disk/by-id/usb-…
  --yes          do not ask (for scripts; the checks still apply)

Exit codes: 0 written and verified, 1 refused, declined or verification failed, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('write', argv, { image: { type: 'string' }, device: { type: 'string' }, yes: { type: 'boolean' } });
    if (!values.image || !values.device) throw new UsageError('ERR_USAGE_FLAG_MISSING', 'write: --image FILE and --device DEV are both required', 'builder write --image state/media/um760.iso --device /dev/sdb');
    const outcome = await runWrite(resolve(io.cwd, values.image), values.device, values.yes === true, io);
    return outcome === 'written' ? EXIT.ok : EXIT.failed;
  },
};
