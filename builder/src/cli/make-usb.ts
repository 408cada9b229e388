import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { MEDIA_TARGETS, targetName, type TargetFlags } from './make-usb-targets.js';

const names = MEDIA_TARGETS.map((t) => t.name).join(', ');

export const makeUsbCommand: Command = {
  name: 'make-usb',
  help: MEDIA_TARGETS.map((t) => t.help).join('\n\n'),
  async run(argv, io) {
    const name = targetName(argv);
    // A bad flag is named before a missing or unknown target: check against every target's flags.
    if (name === undefined || !MEDIA_TARGETS.some((t) => t.name === name)) parseFlags('make-usb', argv, Object.assign({}, ...MEDIA_TARGETS.map((t) => t.flags)) as TargetFlags);
    if (name === undefined) throw new UsageError('ERR_USAGE_FLAG_MISSING', 'make-usb: --target is required', `use --target ${MEDIA_TARGETS[0]!.name} (targets: ${names})`);
    const target = MEDIA_TARGETS.find((t) => t.name === name);
    if (!target) throw new UsageError('ERR_USAGE_FLAG_VALUE', `unknown target ${name}`, `use one of: ${names}`);
    const { values } = parseFlags('make-usb', argv, target.flags);
    return (await target.load()).run(values, io);
  },
};
