/**
 * The PXE boot tree: every file the DHCP answers, the rendered iPXE scripts and the Harvester
 * configs name, found in the rendered tree or taken from the image cache (render and make-usb
 * refuse a tree that lacks one).
 */
export { resolveBootTree, type BootAsset, type BootTreeInput } from './resolve.js';
export { namedFiles, pathsNamedIn, isNamingFile, type NamedFile, type ServedText } from './scan.js';
export { labBootTree, type LabBootTreeOptions, type TreeFile } from './for-lab.js';
export { planBootTree, type Source } from './plan.js';
export { IPXE_LOADERS } from './loaders.js';
