import { LAB_DEFAULT } from './lab-context.js';

// What `make-usb --help` says about the gateway target, kept apart from the code that builds the
// stick so that the UM760 path and `--help` do not load it.

export const GATEWAY_STICK_HELP = `Usage: builder make-usb --target vp6630 [--lab FILE] [--state DIR] [--base ISO] [--out FILE]
                        [--agent FILE] [--agent-exe FILE] [--runbook DIR] [--pxe-root DIR] [--collector-url URL]

One stick for the gateway: the VyOS ISO, booting as it is, plus /lab on the same medium (the
rendered config.boot and commands.sh, agent.yaml, the agent, the runbook). A new first, default
boot entry loads the configuration from the stick (vyos-config=/usr/lib/live/mount/medium/lab/
config.boot) and stacks one extra live-boot layer (module=lab) whose systemd unit starts the agent.
The VyOS ISO's own entries stay, unchanged, after it. Output is written to a temporary file and
renamed (mode 0600: it holds the collector token and the admin password hash); <out>.json records
its sha256 and every input's. The same inputs give the same bytes.

  --lab FILE           the lab file (default: ${LAB_DEFAULT})
  --state DIR          the state directory (default <lab dir>/state); secrets come from here
  --base ISO           the VyOS ISO (default: image vyos from the image cache)
  --base-sha256 H      refuse a --base whose sha256 is not H
  --cache DIR          the image cache directory
  --out FILE           where to write (default <state>/media/<gateway host>-vp6630.iso)
  --agent FILE         the agent bundle (default agent/dist/agent.cjs)
  --agent-exe FILE     the agent single executable (default agent/dist/lab-agent when present);
                       VyOS has no node, so without it the agent cannot start on the gateway
  --runbook DIR        carry these runbook files (*.html, *.md) instead of the lab's runbook
                       rendered now (runbook.html, runbook.md)
  --pxe-root DIR       the tree the gateway's PXE service serves (default: ipxe/, harvester/ and
                       talos/ of <state>/rendered, when the lab's pxe.host is the gateway)
  --collector-url URL  report to URL instead of the lab's collector.url (a test VM, another laptop)
  --without-argocd, --argocd-manifest FILE
                       the render the served files are checked against (as for builder render)

Without --pxe-root, the served files of <state>/rendered must be what the lab and its secrets
render now: make-usb refuses, naming the files and document keys that differ, until
\`builder render\` has run.

Exit codes: 0 written, 1 refused or failed, 2 usage error.`;

/** True when argv selects the gateway target (`--target vp6630` or `--target=vp6630`). */
export function isGatewayTarget(argv: string[]): boolean {
  return argv.some((a, i) => a === '--target=vp6630' || (a === '--target' && argv[i + 1] === 'vp6630'));
}
