/**
 * Done means observed equals declared: what the clusters report about a host (its node's name,
 * addresses and roles, the disk Talos installed to, the MACs it booted with) against what the lab
 * file says. Pure; a mismatch is a problem even when every stage is reached — a Talos install on
 * a disk the selector did not mean is exactly what operators fear.
 */

export interface DeclaredHost {
  name: string;
  role: string;
  macs: string[];
  addresses: string[];
  /** The addresses its cluster node must report (all static addresses when not given). */
  nodeAddresses?: string[];
  installDisk?: { size?: string; type?: string; model?: string; serial?: string; path?: string };
}

export interface Mismatch {
  host: string;
  field: 'node name' | 'address' | 'role' | 'install disk' | 'mac';
  declared: string;
  observed: string;
}

/** The observed facts a host's join events carry, latest per kind. */
export interface ObservedHost {
  node?: { name: string; addresses: string[]; roles: string[] };
  disk?: { device: string; size: number; model: string; serial: string; type: string };
  macs?: string[];
  /** What the host's agent reported at boot: its DMI vendor and product, CPUs and memory. */
  machine?: { vendor?: string; product?: string; cpus?: number; memoryBytes?: number };
}

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40, PIB: 2 ** 50, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * A Talos install-disk size condition: `[>=|<=|>|<|==]<size>[units]`, units as go-humanize's
 * ParseBytes reads them (GB = 10^9, GiB = 2^30) — Talos v1.12.0
 * pkg/machinery/config/types/v1alpha1/v1alpha1_types.go, InstallDiskSizeMatcher.UnmarshalYAML.
 */
export function sizeMatches(condition: string, bytes: number): boolean | undefined {
  const m = /^(>=|<=|>|<|==)?\s*([0-9.]+)\s*([A-Za-z]*)$/.exec(condition.trim());
  if (!m) return undefined;
  const unit = UNITS[m[3]!.toUpperCase()];
  if (unit === undefined) return undefined;
  const size = Number(m[2]) * unit;
  switch (m[1] ?? '') {
    case '>=':
      return bytes >= size;
    case '<=':
      return bytes <= size;
    case '>':
      return bytes > size;
    case '<':
      return bytes < size;
    default:
      return bytes === size;
  }
}

/** Talos's selector globs (`*`, `?`) as in its model and serial matchers. */
function globMatches(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

const gb = (n: number) => `${(n / 1e9).toFixed(0)} GB`;

function diskMismatch(sel: NonNullable<DeclaredHost['installDisk']>, d: NonNullable<ObservedHost['disk']>): string | undefined {
  const why: string[] = [];
  if (sel.path && sel.path !== d.device) why.push(`path ${sel.path}`);
  if (sel.size && sizeMatches(sel.size, d.size) === false) why.push(`size ${sel.size}`);
  if (sel.type && sel.type !== d.type) why.push(`type ${sel.type}`);
  if (sel.model && !globMatches(sel.model, d.model)) why.push(`model ${sel.model}`);
  if (sel.serial && !globMatches(sel.serial, d.serial)) why.push(`serial ${sel.serial}`);
  return why.length > 0 ? why.join(', ') : undefined;
}

/** Every way the observed host differs from its declaration (empty when it matches or nothing is observed yet). */
export function compareDeclared(declared: DeclaredHost, observed: ObservedHost): Mismatch[] {
  const out: Mismatch[] = [];
  const host = declared.name;
  const node = observed.node;
  if (node) {
    const first = node.name.split('.')[0];
    if (node.name !== '' && node.name !== host && first !== host) out.push({ host, field: 'node name', declared: host, observed: node.name });
    for (const a of declared.nodeAddresses ?? declared.addresses) if (node.addresses.length > 0 && !node.addresses.includes(a)) out.push({ host, field: 'address', declared: a, observed: node.addresses.join(', ') });
    // Platform hosts are its control plane; Harvester promotes nodes to management by itself.
    const wantsControlPlane = declared.role === 'controlplane' || declared.role === 'vm';
    if (wantsControlPlane && node.roles.length > 0 && !node.roles.includes('control-plane')) out.push({ host, field: 'role', declared: 'control-plane', observed: node.roles.join(', ') || 'none' });
  }
  if (observed.disk && declared.installDisk) {
    const why = diskMismatch(declared.installDisk, observed.disk);
    const d = observed.disk;
    if (why) out.push({ host, field: 'install disk', declared: why, observed: `${d.device} (${[gb(d.size), d.type, d.model, d.serial].filter(Boolean).join(', ')})` });
  }
  if (observed.macs && observed.macs.length > 0 && declared.macs.length > 0 && !declared.macs.some((m) => observed.macs!.includes(m))) {
    out.push({ host, field: 'mac', declared: declared.macs.join(', '), observed: observed.macs.join(', ') });
  }
  return out;
}

/** "cp-1: install disk is /dev/sda (32 GB, ssd), the lab selects size >= 256GB, type nvme". */
export function mismatchReason(m: Mismatch): string {
  return m.field === 'install disk' ? `${m.host}: Talos installed to ${m.observed}, but the lab selects ${m.declared}` : `${m.host}: ${m.field} is ${m.observed}, the lab declares ${m.declared}`;
}
