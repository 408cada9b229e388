// Plans a PE section rewrite that changes some sections' contents in place, keeping the section
// table's order: a UKI's meaning depends on that order (systemd-stub 257 takes the sections before
// the first `.profile` as the base and each `.profile` as opening a profile), so a section must
// be replaced where it is, never removed and appended the way objcopy does. Sections before the
// first changed one keep their addresses; the later ones are laid out again, packed the way
// Talos's assembler lays out what it appends (internal/pkg/uki/internal/pe/native.go: each RVA
// the previous end rounded up to SectionAlignment, raw data back to back in FileAlignment units,
// VirtualSize the exact content length). Pure.
import { PeFormatError, SCN_CNT_INITIALIZED_DATA, type PeInfo, type PeSection } from './pe.js';

export interface SectionLayout extends PeSection {
  index: number;
  /** Where its bytes come from: the original image (at `from`) or the replacement. */
  source: { kind: 'original'; from: number; length: number } | { kind: 'replacement'; length: number };
}

export interface PeLayout {
  sections: SectionLayout[];
  sizeOfImage: number;
  sizeOfInitializedData: number;
  /** Length of the new file: the end of the last section's raw data. */
  fileSize: number;
  /** Bytes [0, headerEnd) of the original are the headers (patched, then copied). */
  headerEnd: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** `replacements` maps a section index to its new content length. */
export function planSectionRewrite(pe: PeInfo, replacements: Map<number, number>): PeLayout {
  if (pe.certificateTableSize > 0) throw new PeFormatError('the image is signed; rewriting a section would break its signature');
  if (pe.pointerToSymbolTable !== 0) throw new PeFormatError('the image carries a COFF symbol table, which a rewrite would lose');
  for (const i of replacements.keys()) {
    if (!pe.sections[i]) throw new PeFormatError(`no section number ${i} to replace (the image has ${pe.sections.length})`);
  }
  const first = Math.min(...replacements.keys());
  const fileAlign = pe.fileAlignment || 0x200;
  const sectAlign = pe.sectionAlignment || 0x1000;
  // Code and tables the stub itself uses are found by RVA through the data directories (base
  // relocations, debug, …); those sections must not move. UKI payload sections are found by name.
  pe.dataDirectories.forEach((d, n) => {
    if (n === 4 || d.rva === 0 || d.size === 0) return; // 4 = certificate table, a file offset
    const at = pe.sections.findIndex((s) => d.rva >= s.rva && d.rva < s.rva + Math.max(s.virtualSize, s.rawSize));
    if (at >= first) throw new PeFormatError(`data directory ${n} points into section ${pe.sections[at]?.name ?? at}, which the rewrite would move`);
  });
  const sections: SectionLayout[] = [];
  let sizeOfInitializedData = pe.sizeOfInitializedData;
  let rvaEnd = 0;
  let fileEnd = 0;
  pe.sections.forEach((s, index) => {
    if (index < first) {
      sections.push({ ...s, index, source: { kind: 'original', from: s.fileOffset, length: s.rawSize } });
    } else {
      const newLength = replacements.get(index);
      const rva = alignUp(rvaEnd, sectAlign);
      const fileOffset = s.rawSize === 0 && newLength === undefined ? 0 : alignUp(fileEnd, fileAlign);
      if (newLength === undefined) {
        sections.push({ ...s, index, rva, fileOffset, source: { kind: 'original', from: s.fileOffset, length: s.rawSize } });
      } else {
        const rawSize = alignUp(newLength, fileAlign);
        if (s.characteristics & SCN_CNT_INITIALIZED_DATA) sizeOfInitializedData += rawSize - s.rawSize;
        sections.push({ ...s, index, rva, fileOffset, rawSize, virtualSize: newLength, source: { kind: 'replacement', length: newLength } });
      }
    }
    const placed = sections[index]!;
    rvaEnd = Math.max(rvaEnd, placed.rva + Math.max(placed.virtualSize, placed.rawSize));
    if (placed.rawSize > 0) fileEnd = Math.max(fileEnd, placed.fileOffset + placed.rawSize);
  });
  const firstData = Math.min(...pe.sections.filter((s) => s.rawSize > 0).map((s) => s.fileOffset));
  return {
    sections,
    sizeOfImage: alignUp(rvaEnd, sectAlign),
    sizeOfInitializedData: sizeOfInitializedData >>> 0,
    fileSize: fileEnd,
    headerEnd: Math.min(firstData, pe.sizeOfHeaders || firstData),
  };
}
