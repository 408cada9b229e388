import type { UserError } from '../base/index.js';
import { carryInText, type LabFlags } from './hints.js';

/** A command's name said once: drops a leading "name: " a message may still carry. */
function once(name: string, message: string): string {
  return message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}

/** The text an operator error prints on stderr: one prefix, the fix (with their flags), the code. */
export function errorText(name: string, err: UserError, flags: LabFlags): string {
  const hint = err.hint ? carryInText(err.hint, flags) : undefined;
  return `builder${name ? ` ${name}` : ''}: ${carryInText(once(name, err.message), flags)}\n${hint ? `  how to fix: ${hint}\n` : ''}  error code: ${err.code} (docs/errors.md)\n`;
}

/** The same as data, printed on stdout under --json so a script always gets a document. */
export function errorJson(name: string, err: { code: string; message: string; hint?: string | undefined }, flags: LabFlags): string {
  const error = { code: err.code, message: carryInText(once(name, err.message), flags), ...(err.hint ? { hint: carryInText(err.hint, flags) } : {}) };
  return `${JSON.stringify({ ok: false, command: name, error }, null, 2)}\n`;
}
