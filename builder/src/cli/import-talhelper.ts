import { resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError, UserError, readInput } from '../base/index.js';
import { EXIT } from './exit.js';
import { requireLab } from '../lab/index.js';
import { writeFileAtomic } from '../state/index.js';
import { importTalhelper, ImportProblem } from '../import/index.js';

export const importTalhelperCommand: Command = {
  name: 'import talhelper',
  help: `Usage: builder import talhelper FILE [--lab LAB] [--out FILE] [--json]

Reads a talhelper talconfig.yaml and prints the lab-file sections it describes: hosts (MAC,
addresses, install disk, labels), clusters.platform (versions, endpoint, pod/service networks,
CNI, kube-proxy and KubePrism from the patches, cert SANs) and any networks the lab lacks.
With --lab, networks are matched to the lab's by VLAN id or subnet. Merge the result into your
lab file by hand; notes about what could not be carried over go to stderr.

  --lab LAB    a lab file whose networks to reuse
  --out FILE   write the YAML to FILE (atomically) instead of stdout
  --json       print {"sections": …, "notes": […]} instead of YAML

Exit codes: 0 imported, 1 the talconfig lacks required fields, 2 usage error or unreadable FILE.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('import talhelper', argv, { lab: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'import talhelper: give exactly one talconfig.yaml FILE', 'run `builder import talhelper --help`');
    const file = resolve(io.cwd, positionals[0]!);
    const { text } = await readInput(file, io.cwd, 'talconfig', 'give the path of a talconfig.yaml');
    const lab = values.lab ? (await requireLab(values.lab, io.cwd)).lab : undefined;
    let result;
    try {
      result = importTalhelper(text, lab);
    } catch (err) {
      if (err instanceof ImportProblem) throw new UserError('ERR_TALHELPER_INVALID', `${file}: ${err.message}`, 'give a talhelper talconfig.yaml (clusterName, talosVersion, kubernetesVersion, endpoint, nodes)');
      throw err;
    }
    const sections = { ...(result.networks.length > 0 ? { networks: result.networks } : {}), hosts: result.hosts, clusters: result.clusters };
    const output = values.json
      ? `${JSON.stringify({ sections, notes: result.notes }, null, 2)}\n`
      : `# Imported from ${positionals[0]} by builder import talhelper: merge these sections into your lab file.\n${stringify(sections, { lineWidth: 0, aliasDuplicateObjects: false })}`;
    if (values.out) {
      const out = resolve(io.cwd, values.out);
      await writeFileAtomic(out, output);
      io.out(`wrote ${out}\n`);
    } else io.out(output);
    for (const n of result.notes) io.err(`note: ${n}\n`);
    return EXIT.ok;
  },
};
