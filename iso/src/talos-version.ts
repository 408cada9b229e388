// Talos versions as the imager labels its ISOs (pkg/imager/iso: volume set "Talos-v1.12.0",
// "Talos-SB-v1.12.0" for Secure Boot; volume id TALOS_V1_12_0 / TALOS_SB_V1_12_0) and what each
// version expects from an embedded-config build (pkg/machinery/imager/quirks).

export interface TalosVersion {
  major: number;
  minor: number;
  patch: number;
  /** As written on the medium, e.g. v1.12.0 or v1.12.0-beta.1. */
  text: string;
}

export const MIN_EMBED_VERSION = { major: 1, minor: 12, patch: 0 };

export function parseVersion(text: string): TalosVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: text.trim().startsWith('v') ? text.trim() : `v${text.trim()}` };
}

export function compareVersions(a: Pick<TalosVersion, 'major' | 'minor' | 'patch'>, b: Pick<TalosVersion, 'major' | 'minor' | 'patch'>): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export interface LabelFacts {
  version?: TalosVersion;
  secureBoot: boolean;
}

/** Reads the version and Secure Boot flag from the volume set id, else the volume id. */
export function versionFromLabels(volumeSetId: string | undefined, volumeId: string | undefined): LabelFacts {
  const set = /^Talos-(SB-)?(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(volumeSetId ?? '');
  if (set) return { version: parseVersion(set[2]!), secureBoot: Boolean(set[1]) };
  const id = /^TALOS_(SB_)?V(\d+)_(\d+)_(\d+)/.exec(volumeId ?? '');
  if (id) return { version: parseVersion(`v${id[2]}.${id[3]}.${id[4]}`), secureBoot: Boolean(id[1]) };
  return { secureBoot: /^TALOS_SB_/.test(volumeId ?? '') || /^Talos-SB-/.test(volumeSetId ?? '') };
}

/** VERSION_ID from a UKI's .osrel section (os-release format). */
export function versionFromOsRelease(text: string): TalosVersion | undefined {
  const m = /^VERSION_ID="?([^"\n]+)"?$/m.exec(text);
  return m ? parseVersion(m[1]!) : undefined;
}

/** Talos 1.8 and later compress extensions with zstd (squashfs and the appended archive). */
export function compressionFor(v: TalosVersion): 'zstd' | 'xz' {
  return compareVersions(v, { major: 1, minor: 8, patch: 0 }) >= 0 ? 'zstd' : 'xz';
}
