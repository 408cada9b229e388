import { resolve } from 'node:path';
import { COMMANDS } from './commands.js';
import type { LabContext } from './command.js';
import { DEFAULT_LAB_FILE } from '../state/index.js';

/** The flags the operator gave that name the lab, to repeat in every command we tell them to run. */
export interface LabFlags {
  lab?: string | undefined;
  state?: string | undefined;
}

/** Quotes a path for a POSIX shell when it needs it. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function contextOf(words: string[]): { name: string; context: LabContext } | undefined {
  let best: { name: string; context: LabContext } | undefined;
  for (const c of COMMANDS) {
    const w = c.name.split(' ');
    if (w.every((x, i) => words[i] === x) && (!best || w.length > best.name.split(' ').length)) best = c;
  }
  return best;
}

/**
 * One `builder …` command line with the operator's --lab/--state added where the command takes
 * them and the line does not already say. A trailing `# comment` stays last.
 */
export function carryInCommand(line: string, flags: LabFlags): string {
  const m = /^(\s*(?:npx )?builder )(.*?)(\s+#.*)?$/.exec(line);
  if (!m) return line;
  const args = m[2]!;
  const entry = contextOf(args.split(/\s+/));
  if (!entry || entry.context === 'none') return line;
  const add: string[] = [];
  if (flags.lab !== undefined && !/(^|\s)--lab[\s=]/.test(args)) add.push(`--lab ${shellWord(flags.lab)}`);
  if (entry.context === 'lab+state' && flags.state !== undefined && !/(^|\s)--state[\s=]/.test(args)) add.push(`--state ${shellWord(flags.state)}`);
  return add.length === 0 ? line : `${m[1]}${args}${args.endsWith(' ') || args === '' ? '' : ' '}${add.join(' ')}${m[3] ?? ''}`;
}

/** Every backquoted `builder …` command in a hint or a paragraph, carrying the operator's flags. */
export function carryInText(text: string, flags: LabFlags): string {
  if (flags.lab === undefined && flags.state === undefined) return text;
  return text.replace(/`((?:npx )?builder [^`]*)`/g, (_, cmd: string) => `\`${carryInCommand(cmd, flags)}\``);
}

/**
 * The runbook's command rewriter for a lab: every `builder …` it prints names the lab file
 * absolutely (and the state directory, when it is not the lab's default), so a command works
 * pasted in any directory.
 */
export function labCommands(values: { lab?: string | undefined; state?: string | undefined }, cwd: string): { line(l: string): string; text(t: string): string } {
  const flags: LabFlags = { lab: resolve(cwd, values.lab ?? DEFAULT_LAB_FILE), ...(values.state !== undefined ? { state: resolve(cwd, values.state) } : {}) };
  return { line: (l) => carryInCommand(l, flags), text: (t) => carryInText(t, flags) };
}
