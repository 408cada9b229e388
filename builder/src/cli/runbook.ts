import { join, relative, resolve } from 'node:path';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { DEFAULT_LAB_FILE } from '../state/index.js';
import { renderHtml, renderMarkdown } from '../runbook/index.js';
import { loadRunbook } from '../runbook/load.js';
import { writeRunbook } from '../runbook/write.js';

export const runbookCommand: Command = {
  name: 'runbook',
  help: `Usage: builder runbook [--lab FILE] [--state DIR] [--out DIR]

Writes runbook.md and runbook.html: pre-flight (cabling per port, firmware per host), one chapter
per Genesis phase with the exact commands, the collector events that prove each step and what to
do when it stalls, the stage reference and recovery. Section ids are the phase model's phase,
stage and remedy ids, so the dashboard links runbook.html#<id>. The HTML has no external assets
and prints cleanly.

  --lab FILE   the lab file (default ${DEFAULT_LAB_FILE})
  --state DIR  the state directory (default: state/ beside the lab file)
  --out DIR    where to write (default <state>/runbook, which \`builder collect\` serves)`,
  async run(argv, io) {
    const { values } = parseFlags('runbook', argv, { lab: { type: 'string' }, state: { type: 'string' }, out: { type: 'string' } });
    const input = await loadRunbook(values, io.cwd);
    const out = values.out ? resolve(io.cwd, values.out) : join(input.paths.root, 'runbook');
    const files = await writeRunbook(out, renderMarkdown(input.runbook), renderHtml(input.runbook));
    io.out(`wrote ${relative(io.cwd, files.markdown) || files.markdown}\nwrote ${relative(io.cwd, files.html) || files.html}\n`);
    return EXIT.ok;
  },
};
