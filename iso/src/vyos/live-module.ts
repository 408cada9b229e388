/**
 * live-boot's image list (components/9990-overlay.sh, setup_unionfs): with `module=NAME` it reads
 * live/filesystem.NAME.module or live/NAME.module, one image per line, and stacks them so that a
 * later image lies above an earlier one; without a module file it takes every
 * *.squashfs/ext2/ext3/ext4/xfs/jffs2/dir directly in live/, sorted. Each image file must end in
 * .squashfs, .ext2/3/4 or .jffs2 (get_backing_device in 9990-misc-helpers.sh panics otherwise).
 * The lab module is the base image's own list plus one layer on top, kept in a subdirectory of
 * live/ so the default glob never sees it and the ISO's original entries boot exactly the
 * images they booted before.
 */

const IMAGE_TYPES = ['squashfs', 'ext2', 'ext3', 'ext4', 'xfs', 'jffs2', 'dir'];

/** The images live-boot stacks for the default module, from the names in live/ and the module file if any. */
export function defaultImages(liveNames: string[], filesystemModule?: string): string[] {
  if (filesystemModule !== undefined) return filesystemModule.split(/\s+/).filter((s) => s.length > 0);
  const found = IMAGE_TYPES.flatMap((t) => liveNames.filter((n) => n.endsWith(`.${t}`) && !n.includes('/')));
  // live-boot pipes the list through sort(1) in the initramfs (C collation).
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The text of live/<module>.module: the default images, then the layer. */
export function labModuleFile(liveNames: string[], layer: string, filesystemModule?: string): string {
  const base = defaultImages(liveNames, filesystemModule);
  if (base.length === 0) throw new Error('the ISO has no live/filesystem.squashfs (or other live image): it is not a live-boot ISO');
  if (!/\.(squashfs|ext2|ext3|ext4|jffs2)$/.test(layer)) throw new Error(`layer ${layer}: live-boot mounts only .squashfs, .ext2/3/4 and .jffs2 images`);
  if (!layer.includes('/')) throw new Error(`layer ${layer} directly in live/ would be picked up by the original entries too; put it in a subdirectory`);
  return `${[...base.filter((n) => n !== layer), layer].join('\n')}\n`;
}
