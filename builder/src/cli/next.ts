import { join } from 'node:path';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { nextStep } from '../runbook/index.js';
import { loadRunbook } from '../runbook/load.js';
import { labCommands } from './hints.js';
import { fetchStatus } from '../collector/client.js';
import { localUrl } from './collector-flags.js';
import { readCollectorToken } from '../collector/token.js';

export const nextCommand: Command = {
  name: 'next',
  help: `Usage: builder next [--lab FILE] [--state DIR] [--collector URL] [--json]

Reads GET /v1/status from the collector and prints, from the runbook: the remedy of the first
stalled or failed stage, or else the next step of the first unfinished phase with its commands.
Without a collector it says which phases it cannot see and where to start.

  --lab FILE        the lab file (default: ${LAB_DEFAULT})
  --state DIR       the state directory (default: state/ beside the lab file)
  --collector URL   the collector (default: the lab's collector.listen, on this machine)
  --json            print {kind, anchor, text}

Exit codes: 0 a next step (or all done), 1 something is stalled or no collector answers, 2 usage.`,
  async run(argv, io) {
    const { values } = parseFlags('next', argv, { lab: { type: 'string' }, state: { type: 'string' }, collector: { type: 'string' }, json: { type: 'boolean' } });
    const input = await loadRunbook(values, io.cwd, labCommands(values, io.cwd));
    const url = (values.collector ?? localUrl(input.lab.collector.listen)).replace(/\/+$/, '');
    // Reads from this machine need no token; send it when the lab has one (a remote collector).
    const token = await readCollectorToken(input.paths).catch(() => '');
    const status = await fetchStatus(url, token);
    const found = nextStep(input.runbook, status, url);
    // The advice's own hints (`builder collect`, `builder status`) name the lab like the runbook does.
    // "runbook.html#id" becomes the file `builder runbook` writes, by its absolute path.
    const book = join(input.paths.root, 'runbook', 'runbook.html');
    const text = labCommands(values, io.cwd).text(found.text).replace(/(^|[\s(])runbook\.html#/g, `$1${book}#`);
    const advice = { ...found, text };
    io.out(values.json ? `${JSON.stringify(advice, null, 2)}\n` : advice.text);
    return advice.kind === 'problem' || advice.kind === 'no-collector' ? EXIT.failed : EXIT.ok;
  },
};
