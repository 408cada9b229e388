import { runDemoTool } from './exec.js';

/** Adapter for grub-mkrescue: a GRUB hybrid ISO (BIOS El Torito, EFI image) of `tree`, as live-build lays out grub-pc + grub-efi. */
export async function grubMkrescue(tree: string, out: string, volid: string): Promise<void> {
  await runDemoTool('grub-mkrescue', ['--compress=xz', `--output=${out}`, tree, '-volid', volid], 'grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools');
}

/** Adapter for grub-mkstandalone: one x86_64-efi GRUB image with `cfg` embedded as its grub.cfg. */
export async function grubMkstandaloneEfi(out: string, cfg: string): Promise<void> {
  await runDemoTool('grub-mkstandalone', ['-O', 'x86_64-efi', '-o', out, '--modules=part_gpt part_msdos iso9660 search search_fs_file configfile linux normal serial terminal', '--locales=', '--fonts=', `boot/grub/grub.cfg=${cfg}`], 'grub-common and grub-efi-amd64-bin');
}

/** Adapter for grub-mkrescue with the caller's whole argument list (Talos's imager runs it with its own xorriso options). */
export async function grubMkrescueArgs(args: string[]): Promise<void> {
  await runDemoTool('grub-mkrescue', args, 'grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools');
}
