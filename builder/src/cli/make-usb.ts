import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { makeUsb } from '../media/make-usb.js';
import { GATEWAY_STICK_HELP, isGatewayTarget } from './make-usb-targets.js';

export const makeUsbCommand: Command = {
  name: 'make-usb',
  help: `Usage: builder make-usb --target um760 [--lab FILE] [--state DIR] [--base ISO] [--config FILE] [--out FILE]

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
  --cache DIR      the image cache directory
  --out FILE       where to write (default <state>/media/<host>-um760.iso)
  --without-argocd, --argocd-manifest FILE
                   the render the rendered config is checked against (as for builder render)
  --json           print {out, sha256, sidecar, talosVersion, layers, configSha256, kernelArgs, …}

Without --config, the rendered config must be what the lab and its secrets render now: make-usb
renders in memory and refuses, naming the files and document keys that differ, until
\`builder render\` has run. When it reads the lab it also adds talos.events.sink= and
talos.logging.kernel= for the lab's collector to every GRUB entry and UKI profile (the lab's
collector.kernelArgs: false switches that off).

Refuses Secure Boot ISOs, Talos older than v1.12 and a base whose sha256 is not the cached one.
Exit codes: 0 written, 1 refused or failed, 2 usage error.

${GATEWAY_STICK_HELP}`,
  async run(argv, io) {
    if (isGatewayTarget(argv)) return (await import('./make-usb-vp6630.js')).runGatewayStick(argv, io);
    const { values } = parseFlags('make-usb', argv, {
      target: { type: 'string' },
      lab: { type: 'string' },
      state: { type: 'string' },
      config: { type: 'string' },
      base: { type: 'string' },
      'base-sha256': { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
      'without-argocd': { type: 'boolean' },
      'argocd-manifest': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.target) throw new UsageError('ERR_USAGE_FLAG_MISSING', 'make-usb: --target is required', 'use --target um760');
    const started = Date.now();
    const r = await makeUsb({
      target: values.target,
      lab: values.lab,
      state: values.state,
      config: values.config,
      base: values.base,
      baseSha256: values['base-sha256'],
      cache: values.cache,
      out: values.out,
      withoutArgocd: values['without-argocd'] === true,
      argocdManifest: values['argocd-manifest'],
      cwd: io.cwd,
      env: io.env,
      log: (line) => io.err(`make-usb: ${line}\n`),
    });
    if (values.json) {
      const summary = {
        out: r.out,
        sha256: r.sha256,
        sidecar: r.sidecar,
        talosVersion: r.version.text,
        ...(r.host ? { host: r.host } : {}),
        layers: r.plan.layers.map((l) => ({ image: l.image, name: l.metadata.name })),
        configSha256: r.plan.configSha256,
        configSelinuxLabel: r.labelled ? r.plan.configSelinuxLabel : null,
        kernelArgs: r.kernelArgs,
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
      };
      io.out(`${JSON.stringify(summary, null, 2)}\n`);
      return EXIT.ok;
    }
    io.out(`wrote ${r.out} (Talos ${r.version.text}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    io.out(`  sha256   ${r.sha256}\n`);
    io.out(`  layers   ${r.plan.layers.map((l) => `${l.image} ${l.metadata.name}`).join(', ')}\n`);
    io.out(`  config   sha256 ${r.plan.configSha256}\n`);
    if (r.kernelArgs.length) io.out(`  kernel   ${r.kernelArgs.join(' ')} (every GRUB entry and UKI profile)\n`);
    if (!r.labelled) io.out(`  note     mksquashfs is older than 4.6: the config file went in without its SELinux label ${r.plan.configSelinuxLabel}\n`);
    io.out(`  sidecar  ${r.sidecar}\n`);
    return EXIT.ok;
  },
};
