import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError, UserError, readInput } from '../base/index.js';
import { EXIT } from './exit.js';
import { DEFAULT_LAB_FILE, statePathsFor } from '../state/index.js';
import { readLab } from '../lab/index.js';
import { applySecretsPlan, BundleProblems, parseTalosBundle, planSecrets, secretPaths } from '../secrets/index.js';

export const secretsImportCommand: Command = {
  name: 'secrets import',
  help: `Usage: builder secrets import FILE [--lab FILE] [--state DIR] [--json]

Adopts the Talos secrets bundle in FILE (written by \`talosctl gen secrets\` or talhelper
\`gensecret\`; decrypt a SOPS file first). Every field is checked (cluster id/secret, bootstrap
token, secretbox or aescbc key, trustd token, the etcd/k8s/k8saggregator/os CAs with matching
keys, the service-account key); a problem names the field. The bundle is stored in talosctl's
shape; the other secrets (tokens, gateway password, SSH key, admin certificates issued from the
imported CAs) are created when missing. Refuses when the lab already has a Talos bundle.

  --lab FILE    the lab file (default: ${LAB_DEFAULT})
  --state DIR   the state directory (default: <lab dir>/state)
  --json        print {"created": [...], "kept": [...]} (paths only)

Exit codes: 0 imported, 1 invalid bundle or secrets already present, 2 usage error or unreadable FILE.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('secrets import', argv, { lab: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'secrets import: give exactly one bundle FILE', 'run `builder secrets import --help`');
    const source = resolve(io.cwd, positionals[0]!);
    // The state directory sits beside the lab file, so the file must exist (its content does not matter here).
    await readLab(values.lab ?? DEFAULT_LAB_FILE, io.cwd);
    const paths = statePathsFor(values, io.cwd);
    const files = secretPaths(paths);
    if (existsSync(files.talosSecrets)) {
      throw new UserError('ERR_SECRETS_EXIST', `the lab already has a Talos secrets bundle (${files.talosSecrets}); refusing to replace it`, 'importing would orphan the cluster those secrets manage; use a fresh --state directory to adopt a different bundle');
    }
    const { text } = await readInput(source, io.cwd, 'secrets bundle', 'give the path of a talosctl secrets.yaml');
    if (/^sops:/m.test(text) && /ENC\[/.test(text)) {
      throw new UserError('ERR_SECRETS_ENCRYPTED', `${source} is SOPS-encrypted`, 'decrypt it first: sops -d FILE > secrets.yaml, import that, then delete the plaintext copy');
    }
    let bundle;
    try {
      bundle = parseTalosBundle(text);
    } catch (err) {
      if (err instanceof BundleProblems) {
        throw new UserError('ERR_SECRETS_BUNDLE_INVALID', `${source} is not a Talos secrets bundle:\n${err.problems.map((p) => `  ${p}`).join('\n')}`, 'give the file `talosctl gen secrets -o FILE` wrote (base64 PEM values under certs.*)');
      }
      throw err;
    }
    const plan = planSecrets(files, existsSync, new Date(), { bundle, comment: paths.root.split('/').at(-2) });
    await applySecretsPlan(paths, plan);
    if (values.json) io.out(`${JSON.stringify({ created: plan.create.map((f) => f.path), kept: plan.kept }, null, 2)}\n`);
    else {
      io.out(`imported the Talos secrets bundle from ${source} into ${files.talosSecrets}\n`);
      for (const f of plan.create.slice(1)) io.out(`created ${f.path} (${f.what})\n`);
      for (const k of plan.kept) io.out(`kept    ${k} (already there)\n`);
    }
    return EXIT.ok;
  },
};
