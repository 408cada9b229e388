// Replaces a UKI's .initrd: the old section is removed and the new one added after every other
// section (objcopy keeps the stub and the other sections as they are).
import { nextSectionVma, type PeInfo } from './pe.js';
import * as objcopy from './tools/objcopy.js';

/** Where the new .initrd goes. Pure. */
export function planInitrdReplace(pe: PeInfo): { vma: number } {
  return { vma: nextSectionVma(pe, '.initrd') };
}

export async function replaceInitrd(uki: string, pe: PeInfo, initrd: string, out: string): Promise<void> {
  const { vma } = planInitrdReplace(pe);
  await objcopy.rewriteSections(uki, out, ['.initrd'], [{ name: '.initrd', file: initrd, vma }]);
}
