import type { ErrorCode } from '../base/index.js';

/** A lab that validates but cannot be rendered as asked (a missing input). Says what and how to fix. */
export class RenderError extends Error {
  constructor(
    /** Its code in the error catalogue (docs/errors.md). */
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}
