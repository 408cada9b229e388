import { MediaError, ToolError, type MediaErrorCode } from '@lab/iso';
import { UserError, type ErrorCode } from '../base/index.js';

/** The catalogue code (docs/errors.md) of each of the media toolkit's refusals. */
const MEDIA_CODES: Record<MediaErrorCode, ErrorCode> = {
  'not-found': 'ERR_INPUT_UNREADABLE',
  'not-talos': 'ERR_MEDIA_NOT_TALOS',
  'secure-boot': 'ERR_MEDIA_SECURE_BOOT',
  'too-old': 'ERR_MEDIA_TALOS_TOO_OLD',
  'sha-mismatch': 'ERR_IMAGE_CHECKSUM_MISMATCH',
  layout: 'ERR_MEDIA_LAYOUT',
  config: 'ERR_MEDIA_CONFIG',
};

/** Turns the media toolkit's refusals and tool failures into errors the CLI prints plainly. */
export function toUserError(err: unknown): unknown {
  if (err instanceof MediaError) return new UserError(MEDIA_CODES[err.code], err.message, err.hint, { cause: err });
  if (err instanceof ToolError) return new UserError('ERR_MEDIA_TOOL_FAILED', err.message, 'check that the input is a complete Talos ISO; `npm run setup` installs the tools', { cause: err });
  return err;
}
