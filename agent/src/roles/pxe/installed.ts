import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * MACs whose install was reported done (Harvester's SUCCEEDED webhook, or a Talos install
 * reported by the collector), so their next network boot gets an iPXE `exit` (boot from disk)
 * instead of the installer: with the network first in the boot order a node would otherwise
 * reinstall forever. Kept in `file` (temp file + rename) so a restart of the agent does not
 * re-arm every host; cleared per MAC by a re-arm. Without a file it lives in memory only.
 */
export interface InstalledEntry {
  mac: string;
  /** What reported it: `harvester`, `talos`, … */
  source: string;
  at: string;
}

export class InstalledHosts {
  private readonly entries = new Map<string, InstalledEntry>();

  constructor(private readonly file?: string) {
    if (!file) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // none recorded yet
    }
    try {
      const list = JSON.parse(text) as InstalledEntry[];
      for (const e of Array.isArray(list) ? list : []) if (e && typeof e.mac === 'string') this.entries.set(e.mac, e);
    } catch (err) {
      throw new Error(`the PXE install record ${file} is not valid JSON (${(err as Error).message}): fix or delete it; deleting re-arms every host`, { cause: err });
    }
  }

  get(mac: string): InstalledEntry | undefined {
    return this.entries.get(mac);
  }

  list(): InstalledEntry[] {
    return [...this.entries.values()];
  }

  mark(mac: string, source: string, now = new Date()): InstalledEntry {
    const e = { mac, source, at: now.toISOString() };
    this.entries.set(mac, e);
    this.save();
    return e;
  }

  /** Re-arms a MAC: its next network boot installs again. Returns whether it was marked. */
  clear(mac: string): boolean {
    const had = this.entries.delete(mac);
    if (had) this.save();
    return had;
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(this.list(), null, 2)}\n`, { mode: 0o644 });
    renameSync(tmp, this.file);
  }
}

/**
 * The script a done host gets: report, then `exit 1` back to the firmware's next boot entry.
 * A non-zero status, because a UEFI boot option that returns EFI_SUCCESS stops the boot order:
 * EDK2's BDS then opens its Boot Manager Menu instead of trying the next option (edk2
 * MdeModulePkg/Universal/BdsDxe/BdsEntry.c, BootBootOptions; UEFI spec 3.1.1), and ipxe.efi
 * returns the status of the last script it ran (iPXE src/interface/efi/efiprefix.c _efi_start,
 * src/usr/autoboot.c): a bare `exit` (0) left an installed MS-02 at OVMF's menu.
 */
export function bootLocalScript(host: string, entry: InstalledEntry, beaconUrl: string): string {
  return [
    '#!ipxe',
    `# ${host}: install reported done by ${entry.source} at ${entry.at}; booting from disk.`,
    `# Re-arm (install again on the next network boot): builder pxe rearm ${host}`,
    `echo ${host}: installed (${entry.source}, ${entry.at}); leaving iPXE to boot from disk`,
    `imgfetch --name beacon ${beaconUrl}/\${netX/mac:hexhyp}?step=boot-local && imgfree beacon || echo (beacon not delivered)`,
    'exit 1',
    '',
  ].join('\n');
}
