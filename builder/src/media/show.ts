// media show / verify: the toolkit's inspection, with the embedded config summarised and redacted;
// the gateway stick's in gateway-media.ts.
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspectMedia, listIsoFiles, verifyMedia, type Problem } from '@lab/iso';
import { formatGatewayShow, isGatewayStick, showGatewayStick, verifyGatewayStick, type GatewayShown } from './gateway-media.js';
import { UsageError } from '../base/index.js';
import { toUserError } from './errors.js';
import { summarizeTalosConfig, type ConfigSummary } from './redact.js';
import { stringify } from 'yaml';

export interface Shown {
  file: string;
  target?: string;
  kind: string;
  /** dual-boot, grub or sd-boot: which of the imager's ISO kinds. */
  bootloader?: string;
  talosVersion?: string;
  secureBoot: boolean;
  volumeId: string;
  /** Built from the demo Talos base (builder/src/demo-bases: its volume id ends in _DEMO): not Talos. */
  demo?: boolean;
  bootModes: string[];
  /** What each GRUB entry and UKI profile boots (command lines carry no secrets). */
  bootEntries: { loader: string; title: string; cmdline: string }[];
  layers: { image: string; name: string; version: string }[];
  embeddedConfig?: { sha256: string; bytes: number; summary: ConfigSummary };
}

async function existing(file: string, cwd: string): Promise<string> {
  const abs = resolve(cwd, file);
  try {
    await access(abs);
  } catch {
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read ${abs}: no such file`, 'check the path (make-usb writes to <state>/media/ by default)');
  }
  return abs;
}

/** The ISO's file list, or undefined when it cannot be listed (the Talos reader names why). */
async function filesOf(file: string): Promise<string[] | undefined> {
  try {
    return await listIsoFiles(file);
  } catch {
    return undefined;
  }
}

/** A Talos ISO (um760), or the gateway stick (vp6630), told apart by what /lab holds. */
export async function showMedia(file: string, cwd: string): Promise<Shown | GatewayShown> {
  const abs = await existing(file, cwd);
  try {
    const files = await filesOf(abs);
    const gateway = files ? await showGatewayStick(abs, files) : undefined;
    if (gateway) return gateway;
    const info = await inspectMedia(abs);
    const shown: Shown = {
      file: abs,
      ...(info.target ? { target: info.target } : {}),
      kind: info.kind,
      ...(info.bootloader ? { bootloader: info.bootloader } : {}),
      talosVersion: info.talosVersion,
      secureBoot: info.secureBoot,
      volumeId: info.volumeId,
      ...(/_DEMO$/.test(info.volumeId) ? { demo: true } : {}),
      bootModes: info.bootModes,
      bootEntries: info.bootEntries,
      layers: info.layers.map((l) => ({ image: l.image, name: l.metadata.name, version: l.metadata.version })),
    };
    if (info.embeddedConfig) {
      const { createHash } = await import('node:crypto');
      shown.embeddedConfig = {
        sha256: createHash('sha256').update(info.embeddedConfig).digest('hex'),
        bytes: info.embeddedConfig.length,
        summary: summarizeTalosConfig(info.embeddedConfig.toString('utf8')),
      };
    }
    return shown;
  } catch (err) {
    throw toUserError(err);
  }
}

export function formatShow(shown: Shown | GatewayShown): string {
  if (shown.kind === 'vyos-gateway-stick') return formatGatewayShow(shown as GatewayShown);
  const s = shown as Shown;
  const lines = [
    `file         ${s.file}`,
    `target       ${s.target ?? '(unknown: no sidecar)'}`,
    `kind         ${s.kind}${s.bootloader ? ` (${s.bootloader})` : ''}`,
    `talos        ${s.talosVersion ?? '(unknown)'}${s.secureBoot ? ' (Secure Boot)' : ''}`,
    `volume id    ${s.volumeId}`,
    ...(s.demo ? ['demo         built from the DEMO Talos base (Debian kernel, demo Talos node: not Talos; for builder rehearse --demo)'] : []),
    `boot modes   ${s.bootModes.join(', ') || '(none)'}`,
    `boot entries ${s.bootEntries.length === 0 ? '(none)' : ''}`,
    ...s.bootEntries.map((e) => `  ${e.loader.padEnd(5)} ${e.title}: ${e.cmdline}`),
    `layers       ${s.layers.length === 0 ? '(none)' : ''}`,
    ...s.layers.map((l) => `  ${l.image}  ${l.name} ${l.version}`),
  ];
  if (!s.embeddedConfig) lines.push('embedded config  (none)');
  else {
    const c = s.embeddedConfig;
    lines.push(`embedded config  ${c.bytes} bytes, sha256 ${c.sha256}`);
    const sum = c.summary;
    const facts: [string, unknown][] = [
      ['documents', sum.documents.map((d) => (d.name ? `${d.kind}/${d.name}` : d.kind)).join(', ')],
      ['machine type', sum.machineType],
      ['hostname', sum.hostname],
      ['cluster', sum.clusterName],
      ['endpoint', sum.endpoint],
      ['install disk', sum.installDisk === undefined ? undefined : JSON.stringify(sum.installDisk)],
      ['event sink', sum.eventSink],
      ['kernel log', sum.kmsgLog],
    ];
    for (const [k, v] of facts) if (v !== undefined && v !== '') lines.push(`  ${k.padEnd(13)} ${String(v)}`);
    if (sum.unreadable) lines.push(`  note: ${sum.unreadable}`);
    lines.push('  --- redacted config ---');
    for (const doc of sum.redacted) lines.push(...stringify(doc).trimEnd().split('\n').map((l) => `  ${l}`), '  ---');
  }
  return `${lines.join('\n')}\n`;
}

export async function verifyFile(file: string, cwd: string): Promise<{ file: string; problems: Problem[] }> {
  const abs = await existing(file, cwd);
  const files = await filesOf(abs);
  if (files && isGatewayStick(files)) {
    try {
      return { file: abs, problems: await verifyGatewayStick(abs) };
    } catch (err) {
      throw toUserError(err);
    }
  }
  return { file: abs, problems: await verifyMedia(abs) };
}

