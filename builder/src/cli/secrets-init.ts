import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { DEFAULT_LAB_FILE, statePathsFor } from '../state/index.js';
import { readLab } from '../lab/index.js';
import { applySecretsPlan, parseTalosBundle, planSecrets, secretPaths, BundleProblems } from '../secrets/index.js';

export const secretsInitCommand: Command = {
  name: 'secrets init',
  help: `Usage: builder secrets init [--lab FILE] [--state DIR] [--json]

Creates, in <state>/secrets (mode 0700, files 0600): the Talos secrets bundle (the fields
\`talosctl gen secrets\` writes), admin client certificates for talosconfig and kubeconfig, the
collector bearer token, the Harvester cluster token, the gateway admin password with its
sha512-crypt hash, and an ed25519 SSH key pair. Existing files are never overwritten: only
missing ones are created, and when every file exists the command refuses and exits 1.
No secret value is printed.

  --lab FILE    the lab file (default: ${LAB_DEFAULT}); the state directory sits beside it
  --state DIR   the state directory (default: <lab dir>/state)
  --json        print {"created": [...], "kept": [...]} (paths only)

Exit codes: 0 created, 1 everything already existed, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('secrets init', argv, { lab: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } });
    // The state directory sits beside the lab file, so the file must exist (its content does not matter here).
    await readLab(values.lab ?? DEFAULT_LAB_FILE, io.cwd);
    const paths = statePathsFor(values, io.cwd);
    const files = secretPaths(paths);
    let existingBundle;
    if (existsSync(files.talosSecrets) && !existsSync(files.admin)) {
      try {
        existingBundle = parseTalosBundle(await readFile(files.talosSecrets, 'utf8'));
      } catch (err) {
        if (err instanceof BundleProblems) throw new UserError('ERR_SECRETS_BUNDLE_INVALID', `${files.talosSecrets} is not a valid Talos secrets bundle: ${err.problems.join('; ')}`, 'restore it from your backup');
        throw err;
      }
    }
    const plan = planSecrets(files, existsSync, new Date(), { existingBundle, comment: paths.root.split('/').at(-2) });
    if (plan.create.length === 0) {
      if (values.json) io.out(`${JSON.stringify({ created: [], kept: plan.kept }, null, 2)}\n`);
      throw new UserError('ERR_SECRETS_EXIST', `secrets already exist in ${paths.secrets}; refusing to overwrite them`, 'keep them (they are what manages the cluster); to start over, move the state directory away first');
    }
    await applySecretsPlan(paths, plan);
    if (values.json) {
      io.out(`${JSON.stringify({ created: plan.create.map((f) => f.path), kept: plan.kept }, null, 2)}\n`);
    } else {
      for (const f of plan.create) io.out(`created ${f.path} (${f.what})\n`);
      for (const k of plan.kept) io.out(`kept    ${k} (already there)\n`);
      io.out(`Back up ${paths.secrets}: losing it means losing control of the cluster.\n`);
    }
    return EXIT.ok;
  },
};
