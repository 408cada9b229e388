/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * An error the operator can act on: what was being done, with what, and how to fix it.
 * The CLI prints `message` (and `hint`) without a stack trace and exits with `exitCode`.
 * Never put a secret value in either field.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint, EXIT.usage);
    this.name = 'UsageError';
  }
}
