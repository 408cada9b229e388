/**
 * How an operator error ends a command: `usage` for a bad flag or an unreadable input, `failed`
 * for everything else. Only the CLI turns a kind into an exit code (cli/exit.ts).
 */
export type ErrorKind = 'failed' | 'usage';

/**
 * An error the operator can act on: what was being done, with what, and how to fix it.
 * The CLI prints `message` (and `hint`) without a stack trace. Domain code throws it; it never
 * carries an exit code. Never put a secret value in either field.
 */
export class UserError extends Error {
  readonly kind: ErrorKind;
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.kind = options?.kind ?? 'failed';
  }
}

/** A flag the command cannot use, or an input file it cannot read. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, hint, { ...options, kind: 'usage' });
    this.name = 'UsageError';
  }
}
