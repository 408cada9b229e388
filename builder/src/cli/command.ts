import type { Io } from './io.js';

export interface Command {
  /** Words that select it, for example `validate` or `images sync`. */
  name: string;
  summary: string;
  /** Full help text (usage line, flags, exit codes), printed for `--help`. */
  help: string;
  /** Returns the exit code. Throws UserError for problems the operator can fix. */
  run(argv: string[], io: Io): Promise<number>;
}
