/** A lab that validates but cannot be rendered as asked (a missing input). Says what and how to fix. */
export class RenderError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}
