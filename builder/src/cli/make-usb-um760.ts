// make-usb --target um760: the Talos ISO with the host's rendered config embedded.
import type { Io } from '../base/index.js';
import { MAKE_USB_STEPS, makeUsb } from '../media/make-usb.js';
import { stepBar } from '../media/step-bar.js';
import { EXIT } from './exit.js';
import { demoBaseRequested, flagString as str, type FlagValues as Values } from './make-usb-targets.js';
import { manifestChoice } from './manifest-flags.js';


export async function run(values: Values, io: Io): Promise<number> {
  const manifests = manifestChoice(values);
  const started = Date.now();
  // The bar goes to stderr beside the log lines; only on a terminal, never under --json.
  const bar = stepBar({ steps: MAKE_USB_STEPS, tty: io.isTTY && !values.json, write: io.err });
  const r = await makeUsb({
    target: 'um760',
    lab: str(values.lab),
    state: str(values.state),
    config: str(values.config),
    base: str(values.base),
    baseSha256: str(values['base-sha256']),
    cache: str(values.cache),
    out: str(values.out),
    manifests,
    ...(demoBaseRequested(values) ? { demoBase: 'if-not-cached' as const } : {}),
    cwd: io.cwd,
    env: io.env,
    log: (line) => io.err(`make-usb: ${line}\n`),
    onStep: (s) => bar.step(s),
  }).finally(() => bar.end());
  if (values.json) {
    const summary = {
      out: r.out,
      sha256: r.sha256,
      sidecar: r.sidecar,
      talosVersion: r.version.text,
      bootloader: r.bootloader,
      ...(r.host ? { host: r.host } : {}),
      layers: r.plan.layers.map((l) => ({ image: l.image, name: l.metadata.name })),
      configSha256: r.plan.configSha256,
      configSelinuxLabel: r.labelled ? r.plan.configSelinuxLabel : null,
      kernelArgs: r.kernelArgs,
      ...(r.demoBase ? { demoBase: { iso: r.demoBase.path, label: r.demoBase.label, kernel: r.demoBase.kernelPkg } } : {}),
      seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    };
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return EXIT.ok;
  }
  const demo = r.demoBase ? ' from the DEMO base (Debian kernel, demo Talos node: not Talos)' : '';
  io.out(`wrote ${r.out} (Talos ${r.version.text} ${r.bootloader} ISO${demo}, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (r.demoBase) io.out(`  demo     built from ${r.demoBase.path}: boots the rehearsal's demo Talos node; for \`builder rehearse --demo\`, not for the UM760\n`);
  io.out(`  sha256   ${r.sha256}\n`);
  io.out(`  layers   ${r.plan.layers.map((l) => `${l.image} ${l.metadata.name}`).join(', ')}\n`);
  io.out(`  config   sha256 ${r.plan.configSha256}\n`);
  if (r.kernelArgs.length) io.out(`  kernel   ${r.kernelArgs.join(' ')} (every GRUB entry and UKI profile)\n`);
  if (!r.labelled) io.out(`  note     mksquashfs is older than 4.6: the config file went in without its SELinux label ${r.plan.configSelinuxLabel}\n`);
  io.out(`  sidecar  ${r.sidecar}\n`);
  return EXIT.ok;
}
