import type { Command } from './command.js';
import { validateCommand } from './validate.js';
import { schemaCommand } from './schema.js';

/** Every command of the CLI, in the order `builder --help` lists them. */
export const COMMANDS: Command[] = [
  validateCommand,
  schemaCommand,
];
