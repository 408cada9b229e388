import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rm, symlink, utimes, writeFile, copyFile, open, rename } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { buildLayerImage, readLiveIso, remasterIso, updateChecksums, sha256File, type IsoPut } from '@lab/iso';
import type { Lab } from '@lab/shared';
import { UserError } from '../base/index.js';
import { gatewayRelease, renderGateway, type GatewayLoginSecrets } from '../vyos/gateway/index.js';
import { writeFileAtomic } from '../state/index.js';
import { gatewayAgentYaml } from './agent-config.js';
import { LAYER_NAME } from './layout.js';
import { planGatewayStick, type BaseFacts, type BootTreeFile, type RunbookFile, type StagedFile, type StickPlan } from './plan.js';

export interface GatewayStickOptions {
  lab: Lab;
  secrets: GatewayLoginSecrets & { collectorToken: string };
  /** The VyOS ISO (a verified cache file, or --base). */
  base: string;
  out: string;
  agentBundle?: string;
  agentExe?: string;
  runbook?: RunbookFile[];
  pxeFiles?: { path: string; src: string; mode?: number }[];
  /** Boot-tree files from the image cache (see boot-tree/), served beside pxeFiles. */
  bootAssets?: BootTreeFile[];
  collectorUrl?: string;
  /** Called as each of GATEWAY_STICK_STEPS starts (the progress bar). */
  onStep?: (step: GatewayStickStep) => void;
}

/** makeGatewayStick's steps, in order. */
export const GATEWAY_STICK_STEPS = ['read the base ISO', 'plan the stick', 'stage the lab files and the layer', 'write the ISO', 'hash and sync the output', 'write the sidecar'] as const;
export type GatewayStickStep = (typeof GATEWAY_STICK_STEPS)[number];

export interface GatewayStickResult {
  out: string;
  sha256: string;
  sidecar: string;
  entryTitle: string;
  configSha256: string;
  warnings: string[];
}

async function walkFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walkFiles(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** Reads what the plan needs from the base ISO (boot menus, live/ names, checksums). */
async function readBase(base: string, work: string): Promise<{ facts: BaseFacts; sums?: string; epoch: number }> {
  const iso = await readLiveIso(base, ['/boot/grub/grub.cfg', '/isolinux/live.cfg', '/live/filesystem.module', '/sha256sum.txt'], join(work, 'base'));
  const facts: BaseFacts = {
    liveNames: iso.files.filter((f) => f.startsWith('/live/') && f.split('/').length === 3).map((f) => f.slice('/live/'.length)),
  };
  const grub = iso.texts.get('/boot/grub/grub.cfg');
  const sys = iso.texts.get('/isolinux/live.cfg');
  const mod = iso.texts.get('/live/filesystem.module');
  if (grub !== undefined) facts.grubCfg = grub;
  if (sys !== undefined) facts.syslinuxLiveCfg = sys;
  if (mod !== undefined) facts.filesystemModule = mod;
  // Every new timestamp is the base's own modification time, so equal inputs give equal bytes.
  const sums = iso.texts.get('/sha256sum.txt');
  return sums === undefined ? { facts, epoch: iso.modified } : { facts, sums, epoch: iso.modified };
}

async function stage(root: string, files: StagedFile[], epoch: number): Promise<void> {
  const dirs = new Set<string>([root]);
  for (const f of files) {
    const target = join(root, f.path);
    for (let d = dirname(target); d.startsWith(root) && !dirs.has(d); d = dirname(d)) dirs.add(d);
    await mkdir(dirname(target), { recursive: true });
    if (f.link !== undefined) {
      await symlink(f.link, target);
      continue;
    }
    if (f.src !== undefined) await copyFile(f.src, target);
    else await writeFile(target, f.content ?? '');
    await chmod(target, f.mode);
    await utimes(target, epoch, epoch);
  }
  for (const d of dirs) {
    await chmod(d, 0o755);
    await utimes(d, epoch, epoch);
  }
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

type Base = Awaited<ReturnType<typeof readBase>>;

async function readBaseOrRefuse(base: string, work: string): Promise<Base> {
  try {
    return await readBase(base, work);
  } catch (err) {
    throw new UserError('ERR_MEDIA_NOT_VYOS', `cannot read ${base} as an ISO image: ${(err as Error).message.split('\n')[0]}`, 'pass the VyOS ISO with --base, or sync the manifest image named vyos', { cause: err });
  }
}

function planOrRefuse(o: GatewayStickOptions, rendered: { release: string; configBoot: string; commands: string; agentYaml: string }, facts: BaseFacts): StickPlan {
  try {
    return planGatewayStick(
      {
        lab: o.lab,
        ...rendered,
        ...(o.agentBundle ? { agentBundle: o.agentBundle } : {}),
        ...(o.agentExe ? { agentExe: o.agentExe } : {}),
        runbook: o.runbook ?? [],
        pxeFiles: o.pxeFiles ?? [],
        bootAssets: o.bootAssets ?? [],
      },
      facts,
    );
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('ERR_MEDIA_NOT_VYOS', `cannot add the lab boot entry to ${o.base}: ${(err as Error).message}`, 'pass a VyOS live ISO with --base (not a stick made by builder)');
  }
}

/** Stages /lab and the live-boot layer under `work`; the layer image's directory is staged too. */
async function stageParts(work: string, plan: StickPlan, epoch: number): Promise<{ labDir: string; layerDir: string; layerImage: string }> {
  const labDir = join(work, 'lab');
  const layerRoot = join(work, 'layer');
  await stage(labDir, plan.lab, epoch);
  await stage(layerRoot, plan.layer, epoch);
  // A directory xorriso creates by itself gets the time of the run, which would make equal
  // inputs give different bytes.
  const layerDir = join(work, 'live-layer');
  const layerImage = join(layerDir, basename(LAYER_NAME));
  await mkdir(layerDir);
  await buildLayerImage(layerRoot, layerImage, epoch);
  await chmod(layerImage, 0o644);
  await utimes(layerImage, epoch, epoch);
  await chmod(layerDir, 0o755);
  await utimes(layerDir, epoch, epoch);
  return { labDir, layerDir, layerImage };
}

/** What goes into the ISO: /lab, the layer, the replaced boot menus, and sha256sum.txt updated for all of them. */
async function isoPuts(work: string, plan: StickPlan, parts: { labDir: string; layerDir: string; layerImage: string }, base: Base): Promise<IsoPut[]> {
  const { labDir, layerDir, layerImage } = parts;
  const puts: IsoPut[] = [{ iso: '/lab', src: labDir }, { iso: `/live/${dirname(LAYER_NAME)}`, src: layerDir }];
  const sumsFor: { path: string; sha256: string }[] = [];
  for (const f of await walkFiles(labDir)) if (!(await lstat(join(labDir, f))).isSymbolicLink()) sumsFor.push({ path: `lab/${f}`, sha256: await sha256Of(join(labDir, f)) });
  sumsFor.push({ path: `live/${LAYER_NAME}`, sha256: await sha256Of(layerImage) });
  // Cache files go in as they are, read-only and verified already: their pinned hash is their sum.
  for (const a of plan.assets) {
    puts.push({ iso: a.iso, src: a.src, mode: 0o644, mtime: base.epoch });
    sumsFor.push({ path: a.iso.slice(1), sha256: a.sha256 });
  }
  for (const [n, r] of plan.replace.entries()) {
    const file = join(work, `replace-${n}-${basename(r.iso)}`);
    await writeFile(file, r.content);
    await utimes(file, base.epoch, base.epoch);
    puts.push({ iso: r.iso, src: file });
    sumsFor.push({ path: r.iso.slice(1), sha256: hashOf(r.content) });
  }
  if (base.sums !== undefined) {
    const file = join(work, 'sha256sum.txt');
    await writeFile(file, updateChecksums(base.sums, sumsFor));
    await utimes(file, base.epoch, base.epoch);
    puts.push({ iso: '/sha256sum.txt', src: file });
  }
  return puts;
}

const hashOf = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** `<out>.json`: the output's hash and every input's. */
async function sidecarDoc(o: GatewayStickOptions, plan: StickPlan, rendered: { configBoot: string; commands: string; agentYaml: string }, sha256: string, dropped: unknown) {
  return {
    target: 'vp6630',
    output: { file: basename(o.out), sha256 },
    bootEntry: plan.entry,
    inputs: {
      base: { file: o.base, sha256: await sha256File(o.base) },
      configBoot: { sha256: hashOf(rendered.configBoot) },
      commands: { sha256: hashOf(rendered.commands) },
      agentYaml: { sha256: hashOf(rendered.agentYaml) },
      ...(o.agentBundle ? { agentBundle: { file: o.agentBundle, sha256: await sha256File(o.agentBundle) } } : {}),
      ...(o.agentExe ? { agentExe: { file: o.agentExe, sha256: await sha256File(o.agentExe) } } : {}),
      runbook: await Promise.all((o.runbook ?? []).map(async (r) => ({ name: r.name, sha256: r.src !== undefined ? await sha256File(r.src) : hashOf(r.content ?? '') }))),
      pxe: await Promise.all((o.pxeFiles ?? []).map(async (p) => ({ path: p.path, sha256: await sha256File(p.src) }))),
      bootAssets: plan.assets.map((a) => ({ path: a.path, image: a.image, sha256: a.sha256 })),
    },
    droppedBootOptions: dropped,
    warnings: plan.warnings,
  };
}

/**
 * Builds the gateway stick: the VyOS ISO, booting as it is, plus /lab (config, agent, runbook),
 * a default boot entry that loads the config from the stick and stacks a layer that starts the
 * agent. Writes `out` atomically and `<out>.json` with the hashes of output and inputs.
 */
export async function makeGatewayStick(o: GatewayStickOptions): Promise<GatewayStickResult> {
  const { configBoot, commands } = renderGateway(o.lab, o.secrets);
  const rendered = { release: gatewayRelease(o.lab).id, configBoot, commands, agentYaml: gatewayAgentYaml(o.lab, o.secrets.collectorToken, o.collectorUrl ? { collectorUrl: o.collectorUrl } : {}) };
  const outDir = dirname(o.out);
  await mkdir(outDir, { recursive: true });
  const work = join(outDir, `.${basename(o.out)}.${randomBytes(4).toString('hex')}.parts`);
  const tmpOut = join(outDir, `.${basename(o.out)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const step = o.onStep ?? (() => undefined);
    await mkdir(work, { recursive: true, mode: 0o700 });
    step('read the base ISO');
    const base = await readBaseOrRefuse(o.base, work);
    step('plan the stick');
    const plan = planOrRefuse(o, rendered, base.facts);
    step('stage the lab files and the layer');
    const parts = await stageParts(work, plan, base.epoch);
    const puts = await isoPuts(work, plan, parts, base);
    step('write the ISO');
    const { dropped } = await remasterIso(o.base, tmpOut, puts, base.epoch);
    await chmod(tmpOut, 0o600);
    step('hash and sync the output');
    const sha256 = await sha256File(tmpOut);
    const fh = await open(tmpOut, 'r+');
    await fh.sync();
    await fh.close();
    step('write the sidecar');
    const sidecar = `${o.out}.json`;
    const doc = await sidecarDoc(o, plan, rendered, sha256, dropped);
    await rename(tmpOut, o.out);
    await writeFileAtomic(sidecar, `${JSON.stringify(doc, null, 2)}\n`);
    return { out: o.out, sha256, sidecar, entryTitle: plan.entry.title, configSha256: hashOf(configBoot), warnings: plan.warnings };
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmpOut, { force: true });
  }
}
