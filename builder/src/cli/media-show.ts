import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { showMedia, formatShow } from '../media/show.js';

export const mediaShowCommand: Command = {
  name: 'media show',
  help: `Usage: builder media show FILE [--json]

A Talos ISO (make-usb --target um760, or a base): the target (from FILE.json when make-usb
wrote it), the ISO kind (dual-boot, grub or sd-boot), the Talos version, the boot modes (BIOS,
UEFI), every boot entry with its command line, the extension layers of /extensions.yaml, and a
summary of the embedded machine config with keys, certificates, tokens and passwords redacted.

The gateway stick (make-usb --target vp6630): what it boots (the default GRUB entry and the
VyOS ISO's own after it), the sha256 of /lab/config.boot and /lab/commands.sh (never their
text: they hold secrets), the agent it carries, and /lab/agent.yaml with the collector token
and every other secret redacted.

  --json   print the same as JSON

Exit codes: 0 printed, 1 the file is not a readable Talos medium or gateway stick, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('media show', argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'media show: give exactly one FILE', 'builder media show state/media/cp-1-um760.iso');
    const shown = await showMedia(positionals[0]!, io.cwd);
    io.out(values.json ? `${JSON.stringify(shown, null, 2)}\n` : formatShow(shown));
    return EXIT.ok;
  },
};
