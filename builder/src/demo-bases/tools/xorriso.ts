import { runDemoTool } from './exec.js';

/** Adapter for xorriso: live-build's iso-hybrid with ISOLINUX for BIOS and an EFI image (`--bootloaders syslinux,grub-efi`). */
export async function isohybridIsolinux(tree: string, out: string, volid: string, isohdpfx: string): Promise<void> {
  await runDemoTool(
    'xorriso',
    [
      '-as', 'mkisofs', '-R', '-r', '-J', '-joliet-long', '-l', '-iso-level', '3', '-V', volid, '-o', out,
      '-isohybrid-mbr', isohdpfx, '-partition_offset', '16',
      '-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
      '-eltorito-alt-boot', '-e', 'boot/grub/efi.img', '-no-emul-boot', '-isohybrid-gpt-basdat', tree,
    ],
    'xorriso',
  );
}

/** Adapter for xorriso's mkisofs emulation with the caller's whole argument list (Talos's pkg/imager/iso/uefi.go). */
export async function xorrisofs(args: string[]): Promise<void> {
  await runDemoTool('xorriso', ['-as', 'mkisofs', ...args], 'xorriso');
}
