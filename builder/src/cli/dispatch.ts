import { COMMANDS } from './commands.js';
import type { CommandEntry } from './command.js';
import { UserError, type Io } from '../base/index.js';
import { EXIT, exitCodeOf } from './exit.js';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'builder — bring a bare-metal lab up from one lab file',
    '',
    'Usage: builder <command> [flags]   (builder <command> --help for its flags)',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit codes: 0 success, 1 the lab or a check failed, 2 usage error or unreadable input.',
    '',
  ].join('\n');
}

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest match first, so `images sync` wins over a hypothetical `images`.
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const entry of sorted) {
    const words = entry.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { entry, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Runs the CLI and returns its exit code; never throws for operator errors. */
export async function dispatch(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(usage());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`builder: unknown command "${argv.join(' ')}"\n\n${usage()}`);
    return EXIT.usage;
  }
  const { entry, rest } = found;
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`builder ${command.name}: ${err.message}\n`);
      if (err.hint) io.err(`  how to fix: ${err.hint}\n`);
      io.err(`  error code: ${err.code} (docs/errors.md)\n`);
      return exitCodeOf(err);
    }
    // A bug, not bad input: say so plainly, with the stack for the report.
    io.err(`builder ${command.name}: internal error — please report it with this output:\n${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
