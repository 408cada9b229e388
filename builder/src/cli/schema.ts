import { labJsonSchema } from '@lab/shared';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';

export const schemaCommand: Command = {
  name: 'schema',
  help: `Usage: builder schema [--json]

Prints the JSON Schema generated from the lab model. The repository keeps a copy in
shared/schema/lab.schema.json; a test fails when the two drift. The output is JSON already;
--json is accepted for scripts that pass it to every command.

Exit codes: 0 printed, 2 usage error.`,
  async run(argv, io) {
    parseFlags('schema', argv, { json: { type: 'boolean' } });
    io.out(`${JSON.stringify(labJsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  },
};
