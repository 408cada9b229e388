// The profile structure of a multi-profile UKI, as systemd-stub 257 reads it (src/boot/pe.c,
// pe_locate_profile_sections; uki.md "Multi-Profile UKIs"): the sections before the first
// `.profile` are the base, each `.profile` opens a profile that runs to the next one, and a
// profile's own section overrides the base's of the same name. Profile 0 boots by default.
// Talos v1.12 builds `main` (no sections of its own) and `reset` (its own `.cmdline`),
// internal/pkg/uki/generate.go generateProfiles and pkg/imager/imager.go buildUKI. Pure.
import type { PeSection } from './pe.js';

export interface UkiSectionRef {
  name: string;
  /** Index in the PE section table. */
  index: number;
}

export interface UkiProfile {
  /** Profile number (0 is the default). */
  number: number;
  /** Index of its `.profile` section. */
  index: number;
  /** From the `.profile` text (ID=…, TITLE=…). */
  id?: string;
  title?: string;
  /** The sections it carries itself (after its `.profile`, before the next). */
  own: UkiSectionRef[];
}

export interface UkiStructure {
  base: UkiSectionRef[];
  profiles: UkiProfile[];
}

/** KEY=VALUE lines of a `.profile` section; quotes as in os-release. */
export function parseProfileText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/\0+$/, '').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** `profileText(index)` gives the text of the `.profile` section at that index. */
export function ukiStructure(sections: PeSection[], profileText: (index: number) => string): UkiStructure {
  const base: UkiSectionRef[] = [];
  const profiles: UkiProfile[] = [];
  sections.forEach((s, index) => {
    if (s.name === '.profile') {
      const fields = parseProfileText(profileText(index));
      profiles.push({ number: profiles.length, index, id: fields.ID, title: fields.TITLE, own: [] });
    } else if (profiles.length > 0) {
      profiles[profiles.length - 1]!.own.push({ name: s.name, index });
    } else {
      base.push({ name: s.name, index });
    }
  });
  return { base, profiles };
}

/**
 * The section a profile boots with: its own, else the base's. Without profiles (`profile`
 * undefined) the base's.
 */
export function effectiveSection(structure: UkiStructure, profile: number | undefined, name: string): UkiSectionRef | undefined {
  const own = profile === undefined ? undefined : structure.profiles[profile]?.own.find((s) => s.name === name);
  return own ?? structure.base.find((s) => s.name === name);
}

/** Every boot choice: each profile, or the image itself when it has none. */
export function bootChoices(structure: UkiStructure): { profile?: number; label: string }[] {
  if (structure.profiles.length === 0) return [{ label: 'the UKI (no profiles)' }];
  return structure.profiles.map((p) => ({ profile: p.number, label: `profile ${p.number} (${p.id ?? 'no ID'}${p.number === 0 ? ', the default' : ''})` }));
}

/** Problems with the structure itself (what a section rewrite must never produce). */
export function structureProblems(structure: UkiStructure, required: string[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const p of structure.profiles) {
    if (!p.id) problems.push(`profile ${p.number} has no ID= in its .profile section`);
    else if (ids.has(p.id)) problems.push(`profile ID ${p.id} appears twice`);
    else ids.add(p.id);
    const names = p.own.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) problems.push(`profile ${p.number} (${p.id ?? 'no ID'}) carries ${dup} twice`);
  }
  for (const choice of bootChoices(structure)) {
    for (const name of required) {
      if (effectiveSection(structure, choice.profile, name)) continue;
      const elsewhere = structure.profiles.filter((p) => p.own.some((s) => s.name === name)).map((p) => p.id ?? String(p.number));
      const where = elsewhere.length ? `; the only ${name} sits after the .profile sections, in profile ${elsewhere.join(', ')} (what objcopy's remove-and-add leaves)` : '';
      problems.push(`${choice.label} has no ${name}${name === '.initrd' ? ' and would boot without an initramfs' : ''}${where}`);
    }
  }
  return problems;
}
