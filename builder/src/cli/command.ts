import type { Io } from '../base/index.js';

export interface Command {
  /** Words that select it, for example `validate` or `images sync`. */
  name: string;
  /** Full help text (usage line, flags, exit codes), printed for `--help`. */
  help: string;
  /** Returns the exit code. Throws UserError for problems the operator can fix. */
  run(argv: string[], io: Io): Promise<number>;
}

/** A row of the command table: what `builder --help` shows, and how to load the command. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}
