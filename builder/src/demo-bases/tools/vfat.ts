import { runDemoTool } from './exec.js';

/** Adapter for dosfstools' mkfs.vfat: a FAT image file of `kib` KiB labelled EFI (live-build's efi.img). */
export async function mkfsVfat(img: string, kib: number): Promise<void> {
  await runDemoTool('mkfs.vfat', ['-C', '-n', 'EFI', '-i', '5a105e01', img, String(kib)], 'dosfstools');
}
