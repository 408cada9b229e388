import { closest } from '@lab/shared';
import pkg from '../../package.json' with { type: 'json' };
import { COMMANDS } from './commands.js';
import type { CommandEntry } from './command.js';
import { UsageError, UserError, type Io } from '../base/index.js';
import { EXIT, exitCodeOf } from './exit.js';
import { groupHelp, groups, usage } from './help.js';
import { chooseLab, flagValue, labLine } from './lab-context.js';
import { errorJson, errorText } from './report.js';
import type { LabFlags } from './hints.js';

export { usage } from './help.js';

export const VERSION: string = pkg.version;

const HELP = new Set(['--help', '-h']);

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest match first, so `images sync` wins over a shorter name.
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const entry of sorted) {
    const words = entry.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { entry, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Why argv names no command, with the nearest one. */
function unknownCommand(argv: string[]): UsageError {
  const words = argv.filter((a) => !a.startsWith('-'));
  const [first = '', second] = words;
  const names = COMMANDS.map((c) => c.name);
  const list = '`builder --help` lists the commands';
  if (groups().includes(first)) {
    const subs = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
    const guess = second === undefined ? undefined : closest(second, subs);
    const what = second === undefined ? `\`builder ${first}\` needs a command: ${subs.join(', ')}` : `unknown command "${first} ${second}"`;
    return new UsageError('ERR_USAGE_COMMAND', what, guess ? `did you mean \`builder ${first} ${guess}\`? \`builder ${first} --help\` lists them` : `\`builder ${first} --help\` lists them`);
  }
  const typed = second !== undefined && closest(`${first} ${second}`, names) ? `${first} ${second}` : first;
  const guess = closest(typed, names) ?? closest(first, [...names, ...groups()]);
  return new UsageError('ERR_USAGE_COMMAND', `unknown command "${first}"`, guess ? `did you mean \`builder ${guess}\`? ${list}` : list);
}

/** Runs the CLI and returns its exit code; never throws for operator errors. */
export async function dispatch(argv: string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  const flags: LabFlags = { lab: flagValue(argv, 'lab'), state: flagValue(argv, 'state') };
  const fail = (name: string, err: UserError): number => {
    io.err(errorText(name, err, flags));
    if (json) io.out(errorJson(name, err, flags));
    return exitCodeOf(err);
  };

  if (argv.length === 0 || (argv.length === 1 && (HELP.has(argv[0]!) || argv[0] === 'help'))) {
    io.out(usage());
    return EXIT.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    io.out(json ? `${JSON.stringify({ version: VERSION })}\n` : `builder ${VERSION}\n`);
    return EXIT.ok;
  }
  // `builder help images sync` is `builder images sync --help`.
  const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
  const found = findCommand(words);
  if (!found) {
    const first = words[0]!;
    const rest = words.slice(1);
    if (groups().includes(first) && rest.every((a) => HELP.has(a))) {
      io.out(groupHelp(first));
      return EXIT.ok;
    }
    return fail('', unknownCommand(words));
  }
  const { entry } = found;
  let { rest } = found;
  if (rest.some((a) => HELP.has(a))) {
    const command = await entry.load();
    io.out(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  if (entry.context !== 'none') {
    const choice = chooseLab(rest, io.cwd, io.env);
    if (choice.source !== 'flag') rest = ['--lab', choice.file, ...rest];
    io.err(labLine(choice, flagValue(rest, 'state')));
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UserError) return fail(entry.name, err);
    // A bug, not bad input: say so plainly, with the stack for the report.
    io.err(`builder ${entry.name}: internal error — please report it with this output:\n${(err as Error)?.stack ?? String(err)}\n`);
    if (json) io.out(errorJson(entry.name, { code: 'ERR_INTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` }, flags));
    return EXIT.internal;
  }
}
