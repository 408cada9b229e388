import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../base/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags with node:util, turning its errors into usage errors. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError('ERR_USAGE_FLAGS', `${command}: ${(err as Error).message}`, `run \`builder ${command} --help\` for its flags`);
  }
}
