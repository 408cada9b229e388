import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { requireLabAndState } from '../lab/index.js';
import { CredentialsError, parseTalosconfig, TalosApi, TalosApiError } from '../collector/join/index.js';

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  help: `Usage: builder bootstrap [--lab FILE] [--state DIR] [--node HOST] [--endpoint ADDR[:PORT]] [--json]

Calls Talos's Bootstrap on one platform node (the first platform host unless --node names
another): its etcd starts a new cluster. Do it once, when the collector shows etcd waiting for
it (\`builder next\` says so); \`builder collect --bootstrap\` makes the same call by itself.
Uses state/rendered/talosconfig (mutual TLS with the admin certificate, as talosctl does).

  --lab FILE   the lab file (default: ${LAB_DEFAULT})
  --state DIR  the lab's state directory (default: state/ beside the lab file)
  --node HOST  the lab host to bootstrap (default: the first platform host)
  --endpoint ADDR[:PORT]  reach its apid there instead of its lab address on port 50000
              (a tunnel or a port forward)
  --json       print {"ok", "node", "endpoint"}

Exit codes: 0 bootstrapped, 1 the node refused or could not be reached, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('bootstrap', argv, { lab: { type: 'string' }, state: { type: 'string' }, node: { type: 'string' }, endpoint: { type: 'string' }, json: { type: 'boolean' } });
    const { lab, paths } = await requireLabAndState(values, io.cwd);
    const platform = lab.clusters.platform;
    if (!platform) throw new UserError('ERR_LAB_NO_PLATFORM', 'the lab has no platform cluster: nothing to bootstrap', 'add clusters.platform to the lab file');
    const name = values.node ?? platform.hosts[0]!;
    if (!platform.hosts.includes(name)) throw new UserError('ERR_LAB_NOT_PLATFORM_HOST', `--node: ${name} is not a platform host (${platform.hosts.join(', ')})`, 'name one of the platform hosts');
    const address = lab.hosts.find((h) => h.name === name)?.addresses[0]?.address;
    if (!address && !values.endpoint) throw new UserError('ERR_LAB_NO_ADDRESS', `${name} has no static address in the lab file`, 'give the host an address under hosts[].addresses');
    const file = join(paths.rendered, 'talosconfig');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UserError('ERR_RENDERED_CREDENTIALS_MISSING', `${file} is missing`, 'run `builder render` first');
    }
    let api: TalosApi;
    try {
      api = new TalosApi(parseTalosconfig(text, file), values.endpoint ?? address!, { timeoutMs: 15_000 });
    } catch (err) {
      if (err instanceof CredentialsError) throw new UserError('ERR_RENDERED_CREDENTIALS_INVALID', err.message, 'render it again with `builder render`', { cause: err });
      throw err;
    }
    try {
      await api.bootstrap();
    } catch (err) {
      if (err instanceof TalosApiError) {
        // Talos refuses a second Bootstrap ("etcd data directory is not empty"): say what it means.
        const again = /not empty|already/i.test(err.message);
        throw new UserError('ERR_BOOTSTRAP_FAILED', `bootstrap of ${name} failed: ${err.message}`, again ? 'etcd is already bootstrapped: do not call it again' : `check that ${name} is up (\`builder status\`) and reachable on ${api.endpoint}`);
      }
      throw err;
    } finally {
      api.close();
    }
    if (values.json) io.out(`${JSON.stringify({ ok: true, node: name, endpoint: api.endpoint }, null, 2)}\n`);
    else io.out(`bootstrap: Talos accepted Bootstrap on ${name} (${api.endpoint}); etcd starts as a new cluster\n`);
    return EXIT.ok;
  },
};
