import { COMMANDS } from './commands.js';

const EXIT_CODES = 'Exit codes: 0 success, 1 the lab or a check failed, 2 usage error or unreadable input, 70 internal error.';

const LAB = `The lab: --lab FILE, else ./lab.yaml in the current directory, else $BUILDER_LAB, else the
example lab (examples/genesis/lab.yaml). Its state directory is <lab dir>/state unless --state DIR.`;

function table(rows: { name: string; summary: string }[]): string[] {
  const width = Math.max(...rows.map((c) => c.name.length));
  return rows.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
}

/** `builder --help`: every row of the command table. */
export function usage(): string {
  return [
    'builder — bring a bare-metal lab up from one lab file',
    '',
    'Usage: builder <command> [flags]   (builder <command> --help for its flags)',
    '       builder --version | builder completion bash|zsh',
    '',
    'Commands:',
    ...table(COMMANDS),
    '',
    LAB,
    'Every command that reports takes --json; on failure it prints {"ok": false, "error": {...}}.',
    EXIT_CODES,
    '',
  ].join('\n');
}

/** The first words that more than one command shares (`secrets`, `images`, `apply`, …). */
export function groups(): string[] {
  const firsts = COMMANDS.map((c) => c.name.split(' ')).filter((w) => w.length > 1).map((w) => w[0]!);
  return [...new Set(firsts)];
}

/** `builder images --help`: the commands of one group. */
export function groupHelp(group: string): string {
  const rows = COMMANDS.filter((c) => c.name.split(' ')[0] === group);
  return [`Usage: builder ${group} <${rows.map((c) => c.name.split(' ').slice(1).join(' ')).join('|')}> [flags]`, '', `Commands:`, ...table(rows), '', `builder ${group} <command> --help describes its flags.`, EXIT_CODES, ''].join('\n');
}
