import { join, resolve } from 'node:path';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { renderHtml, renderMarkdown } from '../runbook/index.js';
import { loadRunbook } from '../runbook/load.js';
import { labCommands } from './hints.js';
import { writeRunbook } from '../runbook/write.js';

export const runbookCommand: Command = {
  name: 'runbook',
  help: `Usage: builder runbook [--lab FILE] [--state DIR] [--out DIR] [--json]

Writes runbook.md and runbook.html: pre-flight (cabling per port, firmware per host), one chapter
per Genesis phase with the exact commands, the collector events that prove each step and what to
do when it stalls, the stage reference and recovery. Section ids are the phase model's phase,
stage and remedy ids, so the dashboard links runbook.html#<id>. The HTML has no external assets
and prints cleanly.

  --lab FILE   the lab file (default: ${LAB_DEFAULT})
  --state DIR  the state directory (default: state/ beside the lab file)
  --out DIR    where to write (default <state>/runbook, which \`builder collect\` serves)
  --json       print {"ok", "files": {"markdown", "html"}} (absolute paths)

Paths and commands in it are absolute (the lab file, the state directory), so they work from any
directory and on the gateway stick's copy; commands are written as \`builder …\` on PATH (README).

Exit codes: 0 written, 1 the lab is invalid, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('runbook', argv, { lab: { type: 'string' }, state: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } });
    const input = await loadRunbook(values, io.cwd, labCommands(values, io.cwd));
    const out = values.out ? resolve(io.cwd, values.out) : join(input.paths.root, 'runbook');
    const files = await writeRunbook(out, renderMarkdown(input.runbook), renderHtml(input.runbook));
    io.out(values.json ? `${JSON.stringify({ ok: true, files }, null, 2)}\n` : `wrote ${files.markdown}\nwrote ${files.html}\n`);
    return EXIT.ok;
  },
};
