import { runDemoTool } from './exec.js';

/** Adapter for dosfstools' mkfs.vfat: a FAT image file of `kib` KiB labelled EFI (live-build's efi.img). */
export async function mkfsVfat(img: string, kib: number): Promise<void> {
  await runDemoTool('mkfs.vfat', ['-C', '-n', 'EFI', '-i', '5a105e01', img, String(kib)], 'dosfstools');
}

/** Adapter for mkfs.vfat on an existing image file: FAT32 with this label and volume id (Talos's ESP). */
export async function mkfsFat32(img: string, label: string, volumeId: string): Promise<void> {
  await runDemoTool('mkfs.vfat', ['-F', '32', '-n', label, '-i', volumeId, img], 'dosfstools');
}
