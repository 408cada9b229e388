import { LAB_DEFAULT } from './lab-context.js';
import { MANIFEST_FLAGS } from './manifest-flags.js';

import type { ParseArgsConfig } from 'node:util';
import type { Io } from '../base/index.js';

// make-usb as a table of targets. Each declares its help and flags here, and its run (inputs
// through the one --lab/--state loader, plan, build) in its own module, loaded only when that
// target runs: `--help` and the UM760 path never load the gateway stick's code, and back.
// A new media target is a row here and a make-usb-<target>.ts beside it.

export type TargetFlags = NonNullable<ParseArgsConfig['options']>;

/** What parseFlags gave for a target's flags. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** A string flag's value, if it was given. */
export const flagString = (v: FlagValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);

export interface MediaTarget {
  name: string;
  help: string;
  flags: TargetFlags;
  load(): Promise<{ run(values: FlagValues, io: Io): Promise<number> }>;
}

/**
 * The flag every target takes to build from its demo base (made from Debian parts, labelled demo)
 * when its pinned base image is not in the image cache.
 */
export const DEMO_BASE_FLAG = 'demo-base';

/** Whether --demo-base was given. */
export const demoBaseRequested = (values: FlagValues): boolean => values[DEMO_BASE_FLAG] === true;

/** Flags every target takes. */
const COMMON = {
  target: { type: 'string' },
  lab: { type: 'string' },
  state: { type: 'string' },
  base: { type: 'string' },
  'base-sha256': { type: 'string' },
  cache: { type: 'string' },
  out: { type: 'string' },
  ...MANIFEST_FLAGS,
  [DEMO_BASE_FLAG]: { type: 'boolean' },
} as const satisfies TargetFlags;

const UM760_HELP = `Usage: builder make-usb --target um760 [--lab FILE] [--state DIR] [--base ISO] [--config FILE] [--out FILE]

Embeds the USB-booted UM760 host's rendered Talos config into the base Talos ISO (v1.12 or later)
the way Talos's imager does: an embedded-config system extension (squashfs), a new
/extensions.yaml that keeps the base's layers, one zstd cpio archive appended to
/boot/initramfs.xz, which also becomes the base .initrd of the UKI in the ESP (a section rewrite
that keeps every UKI profile, main and reset, intact), so BIOS and UEFI boots all see it.
The ISO is rebuilt with xorriso keeping its volume ID, both El Torito entries and the ESP.
Output is written to a temporary file and renamed (mode 0600: it holds the cluster secrets);
<out>.json records its sha256 and every input's. The same inputs give the same bytes.

  --target T       um760, or vp6630 (the gateway stick, below)
  --lab FILE       the lab file (default: ${LAB_DEFAULT}); picks the host with this model and boot: usb
  --state DIR      the state directory (default <lab dir>/state)
  --config FILE    the Talos config to embed (default <state>/rendered/talos/<host>.yaml)
  --base ISO       the base Talos ISO (default: image talos-metal from the image cache)
  --base-sha256 H  refuse a --base whose sha256 is not H
  --demo-base      when talos-metal is not in the image cache (or not pinned), build from the
                   DEMO Talos base instead: Talos's dual-boot layout (GRUB, systemd-boot 257, a
                   multi-profile UKI) around Debian's cloud kernel and the rehearsal's demo Talos
                   node, built for the lab and cached in ~/.cache/lab-builder/rehearse; the stick
                   is labelled demo (Talos v1.12.0-demo, <host>-um760-demo.iso). Not with --base
  --cache DIR      the image cache directory
  --out FILE       where to write (default <state>/media/<host>-um760.iso)
  --json           print {out, sha256, sidecar, talosVersion, bootloader, layers, configSha256, kernelArgs, demoBase?, …}
  --without-argocd, --argocd-manifest FILE, --cilium-manifest FILE, --without-cni
                   the render the rendered config is checked against (as for builder render)

Without --config, the rendered config must be what the lab and its secrets render now: make-usb
renders in memory and refuses, naming the files and document keys that differ, until
\`builder render\` has run. When it reads the lab it also adds talos.events.sink= and
talos.logging.kernel= for the lab's collector to every GRUB entry and UKI profile (the lab's
collector.kernelArgs: false switches that off).

Takes each ISO kind Talos v1.12's imager builds: dual-boot (GRUB for BIOS, systemd-boot + UKI for
UEFI), grub (GRUB for both, no UKI: the config goes into /boot/initramfs.xz) and sd-boot (UEFI
only, no /boot: the config goes into the UKI's .initrd). On a terminal, a bar on stderr shows the
step running; nothing when stdout is not a terminal or under --json.

Refuses Secure Boot ISOs, Talos older than v1.12 and a base whose sha256 is not the cached one.
Exit codes: 0 written, 1 refused or failed, 2 usage error.`;

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
  --demo-base          when the image vyos is not cached (or not pinned), build from the VyOS DEMO
                       base instead: a live ISO in VyOS's layout built from Debian parts (not
                       VyOS) whose init applies the config's interfaces, addresses, static routes
                       and DHCP relay and ignores the rest; the stick is named …-vp6630-demo.iso
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
  --without-boot-assets  leave the boot tree out (as for builder render): the stick's PXE service
                       serves the scripts but not the loaders, kernels and initrds they name
  --json               print {out, sha256, sidecar, target, entry, configSha256, warnings, seconds}
  --without-argocd, --argocd-manifest FILE, --cilium-manifest FILE, --without-cni
                       the render the served files are checked against (as for builder render)

Without --pxe-root, the served files of <state>/rendered must be what the lab and its secrets
render now: make-usb refuses, naming the files and document keys that differ, until
\`builder render\` has run.

The stick also carries the boot tree under lab/pxe: every file the served iPXE scripts, the
Harvester configs and the DHCP answers name (iPXE loaders, kernels, initrds, the Harvester rootfs
and ISO) that the tree lacks is taken from the image cache (the image of images.yaml whose
\`serve:\` is that path, checked by sha256). A file no image serves, or one not cached, is refused
by name, with the script that names it and the command that fetches it.

On a terminal, a bar on stderr shows the step running (read, plan, stage, write, hash, sidecar);
nothing when stdout is not a terminal or under --json.

Exit codes: 0 written, 1 refused or failed, 2 usage error.`;

export const MEDIA_TARGETS: readonly MediaTarget[] = [
  { name: 'um760', help: UM760_HELP, flags: { ...COMMON, config: { type: 'string' }, json: { type: 'boolean' } }, load: () => import('./make-usb-um760.js') },
  {
    name: 'vp6630',
    help: GATEWAY_STICK_HELP,
    flags: { ...COMMON, json: { type: 'boolean' }, agent: { type: 'string' }, 'agent-exe': { type: 'string' }, runbook: { type: 'string' }, 'pxe-root': { type: 'string' }, 'collector-url': { type: 'string' }, 'without-boot-assets': { type: 'boolean' } },
    load: () => import('./make-usb-vp6630.js'),
  },
];

/** The target argv names (`--target T` or `--target=T`), before its flags are known. */
export function targetName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--target=')) return a.slice('--target='.length);
    if (a === '--target') return argv[i + 1];
  }
  return undefined;
}
