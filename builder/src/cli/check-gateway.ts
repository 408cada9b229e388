import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { checkGateway, formatChecklist } from '../gateway/index.js';
import { loadGatewayContext } from './gateway-context.js';

export const checkGatewayCommand: Command = {
  name: 'check gateway',
  help: `Usage: builder check gateway [--lab FILE] [--state DIR] [--json] [--host ADDR[:PORT]] [--user NAME]

Logs in to the gateway over SSH with the lab's key (host key pinned in state/known_hosts) and
runs read-only commands: show interfaces, show nat source rules, show ip bgp summary, and the
DHCP relay's and DNS forwarder's listening state. Compares them with the lab: each network up
on its interface with its address, each bridge member VLAN up, NAT for each lab range, the relay
listening on the client networks and forwarding towards the server, DNS listening on each
address, each BGP neighbour present. Prints a checklist.

  --lab FILE          the lab file (default: ${LAB_DEFAULT})
  --state DIR         the state directory (default: <lab dir>/state)
  --host ADDR[:PORT]  reach the gateway here (default: its management address, SSH port)
  --user NAME         login user (default vyos)
  --json              print {"ok", "items": [...]}; when the gateway cannot be reached,
                      {"ok": false, "error": {...}}

Exit codes: 0 everything matches, 1 something is off or the gateway is unreachable, 2 usage.`,
  async run(argv, io) {
    const { values } = parseFlags('check gateway', argv, {
      lab: { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean' },
      host: { type: 'string' },
      user: { type: 'string' },
    });
    const ctx = await loadGatewayContext(values, io.cwd);
    const items = await checkGateway({
      lab: ctx.lab,
      target: ctx.target,
      privateKey: ctx.secrets.ssh.privateKey,
      knownHostsPath: ctx.paths.knownHosts,
      say: (line) => io.err(`${line}\n`),
    });
    const ok = items.every((i) => i.ok);
    if (values.json) io.out(`${JSON.stringify({ ok, items }, null, 2)}\n`);
    else io.out(`${formatChecklist(items)}\n${ok ? 'gateway matches the lab' : `${items.filter((i) => !i.ok).length} of ${items.length} checks failed`}\n`);
    return ok ? EXIT.ok : EXIT.failed;
  },
};
