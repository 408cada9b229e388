import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { verifyFile } from '../media/show.js';

export const mediaVerifyCommand: Command = {
  name: 'media verify',
  help: `Usage: builder media verify FILE [--json]

Checks a Talos medium by its kind. Where GRUB boots (dual-boot, grub): /boot/vmlinuz,
/boot/initramfs.xz and grub.cfg, a BIOS El Torito entry; on a grub ISO GRUB's UEFI image
(/efi.img) with /EFI/BOOT/BOOTX64.EFI. Where systemd-boot boots (dual-boot, sd-boot): the ESP
(appended partition 2) with /EFI/BOOT/BOOTX64.EFI, loader/loader.conf and a UKI whose every
profile has a .linux, .cmdline and .initrd, the ISO tree's EFI/ and loader/ equal to the ESP's;
on a dual-boot ISO every profile's .initrd equal to /boot/initramfs.xz. Always: a UEFI El Torito
entry, every layer named in /extensions.yaml present, the embedded config matching its layer's
sha256, and FILE's sha256 against FILE.json when present.

On the gateway stick: /lab/agent.yaml is a configuration the agent accepts, the default GRUB
entry (and ISOLINUX's) boots the lab config (vyos-config=…/lab/config.boot module=lab), the
layer and live/lab.module that start the agent, an agent, every lab/ file against
/sha256sum.txt (VyOS's installer checks it), and FILE, config.boot and agent.yaml against
FILE.json. Problems name files and fields, never secret values.

  --json   print {"ok": bool, "problems": [...]}

Exit codes: 0 no problems, 1 problems found, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags('media verify', argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('ERR_USAGE_ARGUMENTS', 'media verify: give exactly one FILE', 'builder media verify state/media/cp-1-um760.iso');
    const { file, problems } = await verifyFile(positionals[0]!, io.cwd);
    if (values.json) io.out(`${JSON.stringify({ file, ok: problems.length === 0, problems }, null, 2)}\n`);
    else if (problems.length === 0) io.out(`${file}: ok\n`);
    else {
      for (const p of problems) io.err(`${file}: ${p.check}: ${p.message}\n`);
      io.err(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    }
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  },
};
