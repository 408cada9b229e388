/**
 * How an operator error ends a command: `usage` for a bad flag or an unreadable input,
 * `interrupted` when the operator stopped it (Ctrl-C) and it cleaned up, `failed` for everything else. Only the CLI turns a kind into an exit code (cli/exit.ts).
 */
export type ErrorKind = 'failed' | 'usage' | 'interrupted';

/**
 * A stable name for one kind of operator error. docs/errors.md is the catalogue: each code with
 * what it means and how to fix it; test/house/errors.test.ts fails when a code is thrown but not
 * documented there, or documented but thrown nowhere. Reuse a code when the meaning and the fix
 * are the same; add one (and its section) when they are not.
 */
export type ErrorCode = `ERR_${string}`;

/**
 * An error the operator can act on: what was being done, with what, and how to fix it.
 * The CLI prints `message` (and `hint`) without a stack trace, with its code. Domain code throws
 * it; it never carries an exit code. Never put a secret value in either field.
 */
export class UserError extends Error {
  readonly kind: ErrorKind;
  constructor(
    readonly code: ErrorCode,
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
  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, hint, { ...options, kind: 'usage' });
    this.name = 'UsageError';
  }
}
