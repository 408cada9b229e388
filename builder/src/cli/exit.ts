import type { UserError } from '../base/index.js';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, interrupted: 130 } as const;

/** The exit code for an operator error: its kind decides, not the code that threw it. */
export function exitCodeOf(err: UserError): number {
  // 130: what a shell reports for a command ended by SIGINT.
  return err.kind === 'usage' ? EXIT.usage : err.kind === 'interrupted' ? EXIT.interrupted : EXIT.failed;
}
