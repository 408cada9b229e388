export { addGrubEntry, grubEntryTitles, hasLabEntry, BootConfigError, LAB_ENTRY_MARK, type ExtraEntry } from './grub-entry.js';
export { addSyslinuxEntry } from './syslinux-entry.js';
export { defaultImages, labModuleFile } from './live-module.js';
export { updateChecksums } from './checksums.js';
export { bootOptionsFromReport, type BootOptions } from './mkisofs-report.js';
export { remasterIso, type IsoPut, type RemasterResult } from './remaster.js';
export { readLiveIso, buildLayerImage, type LiveIsoFacts } from './live-iso.js';
