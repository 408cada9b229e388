// What the base ISO says about itself: labels and dates (primary volume descriptor), the boot
// setup as mkisofs options, the El Torito entries, and where the appended ESP lies.
import { stat } from 'node:fs/promises';
import { MediaError } from './errors.js';
import { appendedPartitions, epochFromIsoDate, parseReport, type AppendedPartition } from './mkisofs-report.js';
import * as xorriso from './tools/xorriso.js';

export interface BootEntry {
  platform: 'BIOS' | 'UEFI' | string;
  loadSize: number;
  lba: number;
  /** The boot image's path in the ISO tree, when it is a file there (GRUB's eltorito.img, /efi.img). */
  path?: string;
}

export interface IsoFacts {
  path: string;
  size: number;
  volumeId: string;
  volumeSetId: string;
  publisherId: string;
  applicationId: string;
  modifiedEpoch?: number;
  report: string[][];
  bootEntries: BootEntry[];
  esp?: AppendedPartition;
  files: string[];
}

function parseBootEntries(plain: string): BootEntry[] {
  const entries: BootEntry[] = [];
  for (const line of plain.split('\n')) {
    const m = /^El Torito boot img :\s+\d+\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\d+)/.exec(line);
    if (m) entries.push({ platform: m[1]!, loadSize: Number(m[2]), lba: Number(m[3]) });
  }
  for (const line of plain.split('\n')) {
    const m = /^El Torito img path :\s+(\d+)\s+(\/.*)$/.exec(line);
    const entry = m ? entries[Number(m[1]) - 1] : undefined;
    if (entry) entry.path = m![2]!.trim();
  }
  return entries;
}

export async function readIsoFacts(path: string): Promise<IsoFacts> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new MediaError('not-found', `cannot read ${path}: no such file`, 'check the path');
  }
  const { pvd, plain, asMkisofs, files } = await xorriso.reports(path);
  if (!pvd['Volume Id'] && !pvd['PVD address']) {
    throw new MediaError('layout', `${path} is not an ISO 9660 image (xorriso found no volume descriptor)`, 'give a Talos ISO (metal-amd64.iso)');
  }
  const report = parseReport(asMkisofs);
  return {
    path,
    size,
    volumeId: pvd['Volume Id'] ?? '',
    volumeSetId: pvd['Volume Set Id'] ?? '',
    publisherId: pvd['Publisher Id'] ?? '',
    applicationId: pvd['App Id'] ?? '',
    modifiedEpoch: epochFromIsoDate(pvd['Modif. Time'] ?? ''),
    report,
    bootEntries: parseBootEntries(plain),
    esp: appendedPartitions(report).find((p) => p.number === 2),
    files,
  };
}
