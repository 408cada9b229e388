// embedTalosConfig: the Talos imager's embedded-config build, applied to an existing ISO.
import { access, appendFile, chmod, mkdir, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fsyncFile, renameSynced, tempBeside, writeFileAtomic } from './atomic.js';
import { buildCpio, S_IFREG } from './cpio.js';
import { planEmbed, type EmbedPlan } from './embed-plan.js';
import { copyRange, rebuildEsp, replaceFileInPlace } from './esp.js';
import { MediaError } from './errors.js';
import { parseExtensionsYaml, type ExtensionLayer } from './extensions-yaml.js';
import { sha256, sha256File } from './hash.js';
import { scanInitramfs, type InitramfsScan } from './initramfs.js';
import { treeWith } from './iso-tree.js';
import { rebuildArgs } from './mkisofs-report.js';
import { bootsGrub, bootsUki, GRUB_CFG_PATH, INITRAMFS_PATH, openTalosMedia, type Bootloader, type TalosMedia, type UkiFacts } from './talos-media.js';
import { compareVersions, MIN_EMBED_VERSION, type TalosVersion } from './talos-version.js';
import { rewriteUkiSections, type SectionReplacement } from './uki.js';
import { grubWithKernelArgs, withKernelArgs } from './kernel-args.js';
import * as squashfs from './tools/squashfs.js';
import * as xorriso from './tools/xorriso.js';
import * as mtools from './tools/mtools.js';
import { xzCompressBuffer } from './tools/xz.js';
import { zstdCompressBuffer } from './tools/zstd.js';

export interface EmbedOptions {
  baseIso: string;
  config: Buffer;
  out: string;
  /** The base must hash to this (the image cache's record); refused otherwise. */
  expectedBaseSha256?: string;
  /**
   * The cache vouches that the base still has `expectedBaseSha256` (its stat stamp is the one of
   * the last hash check): the base is not hashed again.
   */
  baseHashTrusted?: boolean;
  /** Recorded in the sidecar, e.g. um760. */
  target?: string;
  /**
   * Every timestamp written; defaults to the base ISO's own date. The caller passes
   * SOURCE_DATE_EPOCH here when it honours it: the toolkit reads no environment.
   */
  epoch?: number;
  /** Extra input hashes to record in the sidecar (for example the lab file). */
  inputs?: Record<string, string>;
  /**
   * Kernel arguments added to every boot entry: GRUB's linux lines and the UKI's base and
   * per-profile .cmdline (e.g. talos.events.sink=… so a node reports before its config loads).
   */
  kernelArgs?: string[];
  /** Called as each of EMBED_STEPS starts (a progress display); a grub ISO skips the UKI step. */
  onStep?: (step: EmbedStep) => void;
}

/** The embedder's steps, in order. */
export const EMBED_STEPS = ['read the base ISO', 'check the base', 'build the config layer', 'rewrite the UKI and the ESP', 'write the ISO', 'hash and sync the output', 'write the sidecar'] as const;
export type EmbedStep = (typeof EMBED_STEPS)[number];

export interface Sidecar {
  kind: 'talos-iso';
  target?: string;
  output: { file: string; sha256: string; size: number };
  inputs: Record<string, { sha256: string; file?: string }>;
  talosVersion: string;
  /** The base's kind (absent in sidecars written before grub and sd-boot ISOs were accepted). */
  bootloader?: Bootloader;
  layers: ExtensionLayer[];
  kernelArgs: string[];
  /** Whether the config file carries the imager's SELinux label (needs squashfs-tools 4.6+). */
  configSelinuxLabel: string | null;
  epoch: number;
}

export interface EmbedResult {
  out: string;
  sidecar: string;
  sha256: string;
  plan: EmbedPlan;
  version: TalosVersion;
  /** The base's kind: where the config went (see Bootloader). */
  bootloader: Bootloader;
  /** False when mksquashfs is older than 4.6 and the config went in without its SELinux label. */
  labelled: boolean;
  kernelArgs: string[];
}

/** A base that passed checkBase: its version, kind and the parts the embedder writes, all present. */
export interface CheckedBase {
  version: TalosVersion;
  bootloader: Bootloader;
  /**
   * The initramfs the config layer is appended to: the extracted /boot/initramfs.xz, or on an
   * sd-boot ISO (no /boot tree) the UKI's extracted .initrd.
   */
  initramfs: string;
  /** Whether GRUB boots /boot/initramfs.xz (dual-boot and grub ISOs): it is replaced in the tree. */
  grub: boolean;
  /** The UKI, with its base .initrd extracted (dual-boot and sd-boot ISOs). */
  uki?: UkiFacts & { initrd: string };
}

type BaseFacts = Pick<TalosMedia, 'bootloader' | 'version' | 'secureBoot' | 'secureBootSigns' | 'uki' | 'initramfs'>;

/** The UKI's checks: an .initrd in the base (every profile sees it), none in a profile. */
function checkUki(uki: UkiFacts | undefined, path: string): UkiFacts & { initrd: string } {
  if (!uki) throw new MediaError('layout', `${path} has no UKI in EFI/Linux of its ESP`, 'give a Talos v1.12+ metal ISO (UEFI boots through systemd-boot and a UKI)');
  if (!uki.initrd) {
    const late = uki.structure.profiles.filter((p) => p.own.some((s) => s.name === '.initrd')).map((p) => p.id ?? String(p.number));
    throw new MediaError(
      'layout',
      late.length
        ? `${path}: the UKI's .initrd sits after its .profile sections (in profile ${late.join(', ')}), so the default profile boots without an initramfs`
        : `${path}: the UKI has no .initrd section before its profiles`,
      'give an unmodified Talos ISO from the imager or the Image Factory (a UKI rewritten with objcopy --add-section .initrd has this defect)',
    );
  }
  // The new initrd replaces the base's: a profile carrying its own would never see the config.
  const own = uki.structure.profiles.filter((p) => p.own.some((s) => s.name === '.initrd'));
  if (own.length) {
    throw new MediaError('layout', `${path}: UKI profile ${own.map((p) => p.id ?? p.number).join(', ')} carries its own .initrd, which would not get the config`, 'give a Talos ISO as the imager builds it (profiles share the base .initrd)');
  }
  return { ...uki, initrd: uki.initrd };
}

/** Refuses bases this toolkit must not touch; accepts the imager's dual-boot, grub and sd-boot ISOs. Pure. */
export function checkBase(media: BaseFacts, path: string): CheckedBase {
  if (media.secureBoot) {
    throw new MediaError(
      'secure-boot',
      `${path} is a Secure Boot Talos ISO (${media.secureBootSigns.join(', ')}); its UKI is signed and adding the config would break the signature`,
      'use the non-Secure-Boot metal ISO (metal-amd64.iso) of the same schematic, or have the Image Factory embed the config and sign the image',
    );
  }
  if (!media.version) {
    throw new MediaError('not-talos', `cannot tell the Talos version of ${path} (no Talos volume label, no .osrel in a UKI)`, 'give a Talos ISO built by the imager or the Image Factory');
  }
  if (compareVersions(media.version, MIN_EMBED_VERSION) < 0) {
    throw new MediaError(
      'too-old',
      `${path} is Talos ${media.version.text}; embedding a config needs Talos v1.12.0 or later`,
      'use a v1.12 or later ISO, or boot this one with talos.config=<URL> on the kernel line instead',
    );
  }
  const { bootloader } = media;
  if (!bootloader) {
    throw new MediaError('layout', `${path} has neither ${GRUB_CFG_PATH} nor an EFI system partition appended as partition 2`, 'give a Talos metal ISO as the imager builds it (dual-boot, grub or sd-boot)');
  }
  const grub = bootsGrub(bootloader);
  if (grub && !media.initramfs) throw new MediaError('layout', `${path} has ${GRUB_CFG_PATH} but no ${INITRAMFS_PATH}`, 'give a Talos metal ISO');
  const uki = bootsUki(bootloader) ? checkUki(media.uki, path) : undefined;
  const initramfs = grub ? media.initramfs! : uki!.initrd;
  return { version: media.version, bootloader, initramfs, grub, ...(uki ? { uki } : {}) };
}

/** The base's .cmdline and every profile's own, with `args` added. Pure. */
function cmdlineReplacements(uki: UkiFacts, args: string[]): SectionReplacement[] {
  if (args.length === 0) return [];
  const refs = [...uki.structure.base, ...uki.structure.profiles.flatMap((p) => p.own)].filter((s) => s.name === '.cmdline');
  return refs.map((r) => ({ index: r.index, data: Buffer.from(withKernelArgs(uki.texts.get(r.index) ?? '', args)) }));
}

function defaultEpoch(media: TalosMedia): number {
  return media.iso.modifiedEpoch ?? 0;
}

async function buildLayerSegment(plan: EmbedPlan, config: Buffer, work: string): Promise<{ segment: Buffer; labelled: boolean }> {
  const root = join(work, 'layer-rootfs');
  for (const d of plan.rootfsDirs) await mkdir(join(root, d), { recursive: true, mode: 0o755 });
  const cfg = join(root, plan.configPath);
  await writeFile(cfg, config, { mode: plan.configMode });
  await chmod(cfg, plan.configMode);
  const sqsh = join(work, plan.layer.image);
  const { xattrs: labelled } = await squashfs.mksquashfs(root, sqsh, plan.squashfsCompression, plan.epoch, [
    { path: plan.configPath, name: 'security.selinux', value: plan.configSelinuxLabel },
  ]);
  const archive = buildCpio(
    [
      { name: 'extensions.yaml', mode: S_IFREG | 0o644, data: Buffer.from(plan.extensionsYaml) },
      { name: plan.layer.image, mode: S_IFREG | 0o644, data: await readFile(sqsh) },
    ],
    plan.epoch,
  );
  const segment = plan.archiveCompression === 'zstd' ? await zstdCompressBuffer(archive, sqsh) : await xzCompressBuffer(archive, sqsh);
  return { segment, labelled };
}

/**
 * The UKI with the new initrd in its base (and the kernel arguments in every .cmdline), put into
 * the ESP and over the ISO 9660 tree's copy (`map` gets it); returns the new ESP image.
 */
async function ukiWithLayer(o: { baseIso: string; media: TalosMedia; uki: UkiFacts; initramfs: string; kernelArgs: string[]; epoch: number; work: string; map: [string, string][] }): Promise<string> {
  const { uki, media, epoch, work } = o;
  const newUki = join(work, 'uki.new.efi');
  const initrdIndex = uki.structure.base.find((s) => s.name === '.initrd')!.index;
  await rewriteUkiSections(uki.file, uki.pe, [{ index: initrdIndex, file: o.initramfs }, ...cmdlineReplacements(uki, o.kernelArgs)], newUki);
  // The ISO 9660 tree carries copies of the ESP's EFI/ and loader/ (pkg/imager/iso/uefi.go): a
  // stick made by copying the ISO's files boots those, so the UKI there is replaced too.
  const treeUki = media.iso.files.find((f) => f.toLowerCase() === uki.espPath.toLowerCase());
  if (treeUki) o.map.push([treeUki, newUki]);
  // The ESP copied out of the base is ours: the new UKI goes into it in place (one mcopy). Only
  // when it does not fit is the ESP rebuilt, larger, from a fresh copy of the base's.
  const espImage = media.esp!;
  if (await replaceFileInPlace(espImage, uki.espPath, newUki, epoch)) return espImage;
  const original = join(work, 'esp.orig.img');
  await copyRange(o.baseIso, media.iso.esp!.start, media.iso.esp!.end, original);
  const tree = join(work, 'esp-tree');
  await mkdir(tree);
  await mtools.extractAll(original, tree);
  const newEsp = join(work, 'esp.new.img');
  await rebuildEsp({ original, tree, replace: new Map([[uki.espPath, newUki]]), out: newEsp, epoch });
  return newEsp;
}

export async function embedTalosConfig(opts: EmbedOptions): Promise<EmbedResult> {
  const baseIso = resolve(opts.baseIso);
  const out = resolve(opts.out);
  if (opts.config.length === 0) throw new MediaError('config', 'the Talos config is empty', 'render the node config first (builder render) or pass --config FILE');
  await access(baseIso).catch(() => {
    throw new MediaError('not-found', `cannot read the base ISO ${baseIso}: no such file`, 'check the path, or sync the image cache (builder images sync)');
  });
  // Hashing the base runs beside the build (both read the same file); the output is only
  // committed after the hash matched.
  const baseShaPromise = opts.baseHashTrusted && opts.expectedBaseSha256 ? Promise.resolve(opts.expectedBaseSha256.toLowerCase()) : sha256File(baseIso);
  baseShaPromise.catch(() => undefined);
  const checkBaseSha = async () => {
    const baseSha = await baseShaPromise;
    if (opts.expectedBaseSha256 && baseSha !== opts.expectedBaseSha256.toLowerCase()) {
      throw new MediaError(
        'sha-mismatch',
        `${baseIso} has sha256 ${baseSha}, but the cache records ${opts.expectedBaseSha256}`,
        'the file changed after it was cached: run `builder images verify`, then `builder images sync` to fetch it again',
      );
    }
    return baseSha;
  };
  const work = await mkdtemp(join(tmpdir(), 'lab-embed-'));
  const tmpOut = tempBeside(out);
  // The initramfs is scanned for the base's layers while the ESP is still being read; what the
  // scan finds is used only after the base passed every check. A refusal waits for the scan to
  // end before the work directory goes, so it never reads a deleted file.
  let scanning: Promise<InitramfsScan> | undefined;
  try {
    const startScan = (file: string) => {
      scanning = scanInitramfs(file, (n) => n === 'extensions.yaml');
      scanning.catch(() => undefined);
    };
    const step = opts.onStep ?? (() => undefined);
    step('read the base ISO');
    const media = await openTalosMedia(baseIso, work, { initramfsReady: startScan }).catch(async (err: unknown) => {
      await checkBaseSha(); // a changed base explains a broken one best
      throw err;
    });
    step('check the base');
    const checked = await Promise.resolve()
      .then(() => checkBase(media, baseIso))
      .catch(async (err: unknown) => {
        await checkBaseSha();
        throw err;
      });
    const { version, uki } = checked;
    const ukis = media.espListing?.ukis ?? [];
    if (ukis.length > 1) {
      throw new MediaError('layout', `${baseIso} has ${ukis.length} UKIs in EFI/Linux (${ukis.join(', ')}); only one would get the config`, 'give a Talos ISO as the imager builds it (one UKI)');
    }
    if (uki && (!media.esp || !media.iso.esp)) throw new MediaError('layout', `${baseIso} has no EFI system partition`, 'give a Talos metal ISO (UEFI boots from its appended ESP)');
    if (checked.grub && uki) {
      const [isoSha, ukiSha] = await Promise.all([sha256File(checked.initramfs), sha256File(uki.initrd)]);
      if (isoSha !== ukiSha) {
        throw new MediaError('layout', `${baseIso}: the UKI's .initrd differs from ${INITRAMFS_PATH}, so BIOS and UEFI boots would see different extensions`, 'give an unmodified Talos ISO from the imager or the Image Factory');
      }
    }
    // An sd-boot ISO has no /boot/initramfs.xz: its layers are read from the UKI's .initrd.
    const scan = await ((checked.grub ? scanning : undefined) ?? scanInitramfs(checked.initramfs, (n) => n === 'extensions.yaml'));
    const yaml = scan.members.get('extensions.yaml');
    const existing = yaml ? parseExtensionsYaml(yaml.toString('utf8')) : [];
    step('build the config layer');
    const epoch = opts.epoch ?? defaultEpoch(media);
    const plan = planEmbed({ version, existingLayers: existing, config: opts.config, epoch });

    const { segment, labelled } = await buildLayerSegment(plan, opts.config, work);
    // The extracted copy is ours and already hashed and scanned: the layer is appended to it in
    // place instead of copying the whole initramfs once more.
    const newInitramfs = checked.initramfs;
    await appendFile(newInitramfs, segment);
    await utimes(newInitramfs, epoch, epoch);

    const kernelArgs = opts.kernelArgs ?? [];
    const map: [string, string][] = [];
    if (checked.grub) {
      map.push([INITRAMFS_PATH, newInitramfs]);
      if (kernelArgs.length > 0 && media.grubCfg) {
        const grub = grubWithKernelArgs(await readFile(media.grubCfg, 'utf8'), kernelArgs);
        await writeFile(media.grubCfg, grub.text);
        await utimes(media.grubCfg, epoch, epoch);
        map.push([GRUB_CFG_PATH, media.grubCfg]);
      }
    }
    if (uki) step('rewrite the UKI and the ESP');
    const newEsp = uki ? await ukiWithLayer({ baseIso, media, uki, initramfs: newInitramfs, kernelArgs, epoch, work, map }) : undefined;

    step('write the ISO');
    const tree = checked.bootloader === 'grub' ? join(work, 'tree') : undefined;
    if (tree) await treeWith(baseIso, media.iso.report, map, tree);
    await mkdir(dirname(out), { recursive: true });
    // xorriso writes the temp file itself, created empty with mode 0600 first so the secrets are
    // never readable by others (xorriso keeps an existing file's mode). Streaming the image through
    // node to hash it on the way measured no faster on two loaded cores (one more copy, 64 KiB pipe
    // hand-offs); hashing the written file from the page cache runs beside its fsync instead.
    await (await open(tmpOut, 'wx', 0o600)).close();
    await xorriso.run(
      rebuildArgs({
        base: baseIso,
        out: tmpOut,
        report: media.iso.report,
        map,
        ...(newEsp ? { esp: newEsp } : {}),
        ...(tree ? { tree } : {}),
        volumeSetId: media.iso.volumeSetId,
        publisherId: media.iso.publisherId,
        applicationId: media.iso.applicationId,
        epoch,
      }),
      baseIso,
    );
    step('hash and sync the output');
    const [baseSha, outSha, { size }] = await Promise.all([checkBaseSha(), sha256File(tmpOut), stat(tmpOut), fsyncFile(tmpOut)]);
    await renameSynced(tmpOut, out);
    const sidecar: Sidecar = {
      kind: 'talos-iso',
      ...(opts.target ? { target: opts.target } : {}),
      output: { file: out, sha256: outSha, size },
      inputs: {
        baseIso: { file: baseIso, sha256: baseSha },
        config: { sha256: sha256(opts.config) },
        ...Object.fromEntries(Object.entries(opts.inputs ?? {}).map(([k, v]) => [k, { sha256: v }])),
      },
      talosVersion: version.text,
      bootloader: checked.bootloader,
      layers: plan.layers,
      kernelArgs,
      configSelinuxLabel: labelled ? plan.configSelinuxLabel : null,
      epoch,
    };
    step('write the sidecar');
    const sidecarPath = `${out}.json`;
    await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
    return { out, sidecar: sidecarPath, sha256: outSha, plan, version, bootloader: checked.bootloader, labelled, kernelArgs };
  } finally {
    await Promise.allSettled([scanning, baseShaPromise]);
    await rm(tmpOut, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}
