import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { applyGateway } from '../gateway/index.js';
import { loadGatewayContext } from './gateway-context.js';

export const applyGatewayCommand: Command = {
  name: 'apply gateway',
  help: `Usage: builder apply gateway [--lab FILE] [--state DIR] [--confirm-timeout MIN] [--dry-run]
                             [--host ADDR[:PORT]] [--user NAME] [--collector URL] [--json]

Connects to the gateway with the lab's SSH key (state/secrets/gateway_ed25519; never a
password). The gateway's host key is pinned in state/known_hosts on first use; a different key
later is refused. Shows the difference between the running configuration and the lab's as
config paths (+ added, - removed, ~ changed; secret values masked), then — unless --dry-run —
uploads the rendered config.boot over SFTP, runs \`load\` and \`commit-confirm MIN\`, checks that
SSH still works and that each network's gateway address answers a ping sent by the gateway
itself, and only then runs \`confirm\` and \`save\`. When a check fails nothing is confirmed and
VyOS rolls the commit back by itself within MIN minutes.
Each step is sent as an event (source gateway) to the collector when one answers.

  --lab FILE             the lab file (default: ${LAB_DEFAULT})
  --state DIR            the state directory (default: <lab dir>/state)
  --confirm-timeout MIN  minutes before an unconfirmed commit rolls back (default 5)
  --dry-run              show the difference and stop; nothing changes on the gateway
  --host ADDR[:PORT]     reach the gateway here (default: its management address, SSH port)
  --user NAME            login user (default vyos)
  --collector URL        the collector (default http://127.0.0.1:<collector.listen port>)
  --json                 print {"ok", "outcome", "changes" (counts), "checks"} (the steps go to stderr)

Exit codes: 0 applied, unchanged or dry run; 1 refused, a check failed or not confirmed; 2 usage.`,
  async run(argv, io) {
    const { values } = parseFlags('apply gateway', argv, {
      lab: { type: 'string' },
      state: { type: 'string' },
      'confirm-timeout': { type: 'string' },
      'dry-run': { type: 'boolean' },
      host: { type: 'string' },
      user: { type: 'string' },
      collector: { type: 'string' },
      json: { type: 'boolean' },
    });
    const minutes = values['confirm-timeout'] === undefined ? 5 : Number(values['confirm-timeout']);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
      throw new UsageError('ERR_USAGE_FLAG_VALUE', `--confirm-timeout ${values['confirm-timeout']}: give whole minutes from 1 to 60`);
    }
    const ctx = await loadGatewayContext(values, io.cwd);
    const result = await applyGateway({
      lab: ctx.lab,
      secrets: ctx.secrets,
      target: ctx.target,
      privateKey: ctx.secrets.ssh.privateKey,
      knownHostsPath: ctx.paths.knownHosts,
      confirmMinutes: minutes,
      dryRun: Boolean(values['dry-run']),
      reporter: ctx.reporter,
      say: (line) => (values.json ? io.err : io.out)(`${line}\n`),
    });
    if (ctx.reporter.delivered === false) io.err('note: no collector answered; the apply was not reported to the dashboard\n');
    if (values.json) io.out(`${JSON.stringify({ ok: result.outcome !== 'not-confirmed', outcome: result.outcome, changes: { added: result.diff.added.length, removed: result.diff.removed.length, changed: result.diff.changed.length }, checks: 'checks' in result ? result.checks : [] }, null, 2)}\n`);
    return result.outcome === 'not-confirmed' ? EXIT.failed : EXIT.ok;
  },
};
