import { closest } from '@lab/shared';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { statePathsFor } from '../state/index.js';
import { readLab } from '../lab/index.js';
import { loadSecrets, type LabSecrets } from '../secrets/index.js';

/** The secrets an operator has to type by hand at a console, by the name `secrets show` takes. */
export const SHOWABLE: Record<string, { what: string; value(s: LabSecrets): string }> = {
  'gateway-password': {
    what: 'password of the gateway\'s VyOS user "vyos" (and of the Harvester nodes\' console login), typed at the console before SSH is up',
    value: (s) => s.login.password,
  },
};

export const secretsShowCommand: Command = {
  name: 'secrets show',
  help: `Usage: builder secrets show NAME [--lab FILE] [--state DIR]

Prints one secret that must be typed at a console, by name, on a terminal:
${Object.entries(SHOWABLE).map(([n, s]) => `  ${n}  ${s.what}`).join('\n')}
It refuses when stdout is not a terminal (a pipe, a file, a log) and under --json, so the value
lands on your screen and nowhere else; nothing is logged or sent to the collector. Other secrets
(keys, tokens) stay in <state>/secrets (0600) and are never printed.

  --lab FILE   the lab (default: ./lab.yaml, else $BUILDER_LAB, else the example)
  --state DIR  the state directory (default: <lab dir>/state)

Exit codes: 0 shown, 1 refused (not a terminal) or the secret is missing, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('secrets show', argv, { lab: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } }, true);
    const names = Object.keys(SHOWABLE);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'give the NAME of one secret', `\`builder secrets show ${names[0]}\` (names: ${names.join(', ')})`);
    const name = positionals[0]!;
    const entry = SHOWABLE[name];
    if (!entry) {
      const guess = closest(name, names);
      throw new UsageError('ERR_SECRETS_UNKNOWN_NAME', `no secret named "${name}" can be shown`, guess ? `did you mean ${guess}? names: ${names.join(', ')}` : `names: ${names.join(', ')}`);
    }
    if (values.json || !io.isTTY) {
      throw new UserError('ERR_SECRETS_SHOW_REFUSED', `refusing to print ${name}: ${values.json ? '--json output is for scripts and logs' : 'stdout is not a terminal (a pipe or a file)'}`, 'run it in a terminal, without --json and without redirecting the output');
    }
    await readLab(values.lab!, io.cwd);
    const secrets = await loadSecrets(statePathsFor(values, io.cwd));
    io.out(`${name} (${entry.what}):\n${entry.value(secrets)}\n`);
    return EXIT.ok;
  },
};
