import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '@lab/shared';
import { UsageError } from '../base/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What is wrong with argv for these options, in the operator's words; undefined when nothing. */
function argvProblem(command: string, argv: string[], options: Options, allowPositionals: boolean): UsageError | undefined {
  const help = `\`builder ${command} --help\` lists its flags`;
  const longs = Object.keys(options).map((k) => `--${k}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      const [flag, ...value] = arg.split('=');
      const option = options[flag!.slice(2)];
      if (!option) {
        const guess = closest(flag!, longs);
        return new UsageError('ERR_USAGE_FLAGS', `unknown flag ${flag}`, guess ? `did you mean ${guess}? ${help}` : help);
      }
      if (option.type === 'boolean' && value.length > 0) return new UsageError('ERR_USAGE_FLAGS', `${flag} takes no value (got "${value.join('=')}")`, `write ${flag} alone; ${help}`);
      if (option.type === 'string' && value.length === 0) {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('-') && next.length > 1)) return new UsageError('ERR_USAGE_FLAGS', `${flag} needs a value`, `write ${flag} VALUE; ${help}`);
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const entry = Object.entries(options).find(([, o]) => o.short === letters[j]);
        if (!entry) return new UsageError('ERR_USAGE_FLAGS', `unknown flag -${letters[j]}`, help);
        if (entry[1].type === 'string') {
          if (j === letters.length - 1) {
            if (argv[i + 1] === undefined) return new UsageError('ERR_USAGE_FLAGS', `-${letters[j]} needs a value`, help);
            i++;
          }
          break;
        }
      }
      continue;
    }
    if (!allowPositionals) return new UsageError('ERR_USAGE_ARGUMENTS', `unexpected argument "${arg}": \`builder ${command}\` takes only flags`, help);
  }
  return undefined;
}

/**
 * Parses a command's flags with node:util. Problems are reported in our words (the flag, a
 * "did you mean", where the flags are listed) before node:util sees argv, so its text never
 * reaches the operator. Every command also takes -h/--help (the dispatcher answers it).
 */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } };
  const problem = argvProblem(command, argv, all, allowPositionals);
  if (problem) throw problem;
  try {
    return parseArgs({ args: argv, options: all, allowPositionals, strict: true });
  } catch (err) {
    // Only reached for a form the check above does not foresee: name the arguments, not node's wording.
    throw new UsageError('ERR_USAGE_FLAGS', `cannot read the flags ${argv.join(' ')}`, `\`builder ${command} --help\` lists its flags`, { cause: err });
  }
}
