import { MediaError, ToolError } from '@lab/iso';
import { UserError } from '../base/index.js';

/** Turns the media toolkit's refusals and tool failures into errors the CLI prints plainly. */
export function toUserError(err: unknown): unknown {
  if (err instanceof MediaError) return new UserError(err.message, err.hint, { cause: err });
  if (err instanceof ToolError) return new UserError(err.message, 'check that the input is a complete Talos ISO; `npm run setup` installs the tools', { cause: err });
  return err;
}
