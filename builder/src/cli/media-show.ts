import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { showMedia, formatShow } from '../media/show.js';

export const mediaShowCommand: Command = {
  name: 'media show',
  help: `Usage: builder media show FILE [--json]

Prints the target (from FILE.json when make-usb wrote it), the Talos version, the boot modes
(BIOS, UEFI), the extension layers of /extensions.yaml, and a summary of the embedded machine
config with keys, certificates, tokens and passwords redacted.

  --json   print the same as JSON

Exit codes: 0 printed, 1 the file is not a readable Talos medium, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('media show', argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'media show: give exactly one FILE', 'builder media show state/media/cp-1-um760.iso');
    const shown = await showMedia(positionals[0]!, io.cwd);
    io.out(values.json ? `${JSON.stringify(shown, null, 2)}\n` : formatShow(shown));
    return EXIT.ok;
  },
};
