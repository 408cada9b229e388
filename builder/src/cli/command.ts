import type { Io } from '../base/index.js';

export interface Command {
  /** Words that select it, for example `validate` or `images sync`. */
  name: string;
  /** Full help text (usage line, flags, exit codes), printed for `--help`. */
  help: string;
  /** Returns the exit code. Throws UserError for problems the operator can fix. */
  run(argv: string[], io: Io): Promise<number>;
}

/**
 * Which lab a command acts on: `lab+state` takes --lab and --state, `lab` only --lab (the image
 * commands: their manifest sits beside the lab), `none` neither. Hints and runbook lines that
 * name the command carry the operator's flags accordingly (cli/hints.ts).
 */
export type LabContext = 'lab+state' | 'lab' | 'none';

/**
 * A row of the command table: what `builder --help` lists, what group help, "did you mean" and
 * shell completion are generated from, and how to load the command.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  context: LabContext;
  load(): Promise<Command>;
}
