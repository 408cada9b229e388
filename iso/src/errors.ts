/** Why the media toolkit refused or failed; `hint` says what to do instead. Never holds secrets. */
export type MediaErrorCode =
  | 'not-found'
  | 'not-talos'
  | 'secure-boot'
  | 'too-old'
  | 'sha-mismatch'
  | 'layout'
  | 'config';

export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
