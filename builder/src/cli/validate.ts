import { formatProblem, formatWarning } from '@lab/shared';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { readLab } from '../lab/index.js';

export const validateCommand: Command = {
  name: 'validate',
  help: `Usage: builder validate [--lab FILE] [--json]

Checks the lab file against its schema and the rules a lab must satisfy (addresses inside their
networks, no overlapping subnets, unique names/MACs/addresses/VLANs, DHCP ranges clear of static
addresses, every reference defined, NICs carrying their addresses' networks, Talos >= v1.12 for
USB-booted hosts). Prints every problem as FILE:LINE:COLUMN path: what is wrong — how to fix it.

Warnings (on stderr, the exit code stays 0) are what the lab allows but will likely hurt, each as
FILE:LINE:COLUMN warning: path: what — what to do [CODE]: a Harvester host under Harvester's
preflight thresholds (CPUs, memory, management NIC speed, install disk size), an install disk
named by its kernel name on a host with several disks, a PXE host without a fixed address on its
boot network. docs/errors.md lists the codes.

  --lab FILE   the lab file (default: ${LAB_DEFAULT})
  --json       print {"valid": bool, "problems": [...], "warnings": [...]} instead of text

Exit codes: 0 valid (with or without warnings), 1 invalid lab, 2 usage error or unreadable file.`,
  async run(argv, io) {
    const { values } = parseFlags('validate', argv, { lab: { type: 'string' }, json: { type: 'boolean' } });
    const result = await readLab(values.lab!, io.cwd);
    if (values.json) {
      io.out(`${JSON.stringify({ file: result.file, valid: result.ok, problems: result.ok ? [] : result.problems, warnings: result.warnings }, null, 2)}\n`);
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    for (const w of result.warnings) io.err(`${formatWarning(w)}\n`);
    if (result.ok) {
      const { lab } = result;
      io.out(`${result.file}: valid — ${lab.networks.length} networks, ${lab.hosts.length} hosts\n`);
      return EXIT.ok;
    }
    for (const p of result.problems) io.err(`${formatProblem(p)}\n`);
    io.err(`${result.file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
    return EXIT.failed;
  },
};
