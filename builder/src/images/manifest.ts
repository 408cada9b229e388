import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { z } from 'zod';
import { factoryImageUrl, schematicId, FACTORY_URL, type Schematic } from './schematic.js';

/**
 * The image manifest (`images.yaml`, `images.lab.gilman.io/v1alpha1`, kind `ImageManifest`).
 * The reference lab's file is accepted as it is; `source.schematic` is our addition: give the
 * Talos customization and version and the URL is computed from the schematic ID.
 */

const sha256Checksum = z
  .string()
  .regex(/^sha256:[0-9a-fA-F]{64}$/, 'write sha256: followed by 64 hex digits (the output of sha256sum)');

const HookSchema = z.looseObject({
  name: z.string().min(1),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  timeout: z.string().optional(),
  inputs: z.array(z.string()).optional(),
});

const CustomizationSchema = z.strictObject({
  extraKernelArgs: z.array(z.string()).optional(),
  meta: z.array(z.strictObject({ key: z.number().int().min(0).max(255), value: z.string() })).optional(),
  systemExtensions: z.strictObject({ officialExtensions: z.array(z.string()).optional() }).optional(),
  secureboot: z.strictObject({ includeWellKnownCertificates: z.boolean().optional() }).optional(),
});

const SchematicSourceSchema = z.strictObject({
  customization: CustomizationSchema.default({}),
  overlay: z.strictObject({ image: z.string(), name: z.string(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
  /** Talos version, such as v1.12.0. */
  version: z.string().regex(/^v\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/, 'write a Talos version such as v1.12.0'),
  artifact: z.string().regex(/^[A-Za-z0-9._-]+$/, 'write an artifact file name such as metal-amd64.iso').default('metal-amd64.iso'),
  /** Image Factory base URL (a mirror, or a local server in tests). */
  factory: z.string().regex(/^https?:\/\//, 'write an http:// or https:// URL').default(FACTORY_URL),
});

/**
 * A file inside a Debian package (such as the iPXE loaders of Debian's `ipxe`): a fixed version
 * gives fixed bytes, but the file has no URL of its own, so `images sync` cannot fetch it and
 * says how to import it (`apt-get download`, `dpkg -x`, `builder images import`).
 */
const DebianSourceSchema = z.strictObject({
  package: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'write a Debian package name such as ipxe'),
  version: z.string().regex(/^[0-9A-Za-z.+~:-]+$/, 'write the package version, as apt-cache policy shows it'),
  /** The file's path inside the package, such as /boot/ipxe.efi. */
  file: z.string().regex(/^\/[^\0]+$/, 'write the absolute path of the file inside the package'),
  arch: z.string().regex(/^[a-z0-9-]+$/, 'write a Debian architecture such as all or amd64').default('all'),
});

const SourceSchema = z
  .strictObject({
    url: z.string().regex(/^https?:\/\/\S+$/, 'write an http:// or https:// URL').optional(),
    checksum: sha256Checksum.optional(),
    schematic: SchematicSourceSchema.optional(),
    debian: DebianSourceSchema.optional(),
  })
  .refine((s) => s.url !== undefined || s.schematic !== undefined || s.debian !== undefined, { message: 'a source needs a url, a schematic or a debian package file' });

/** A path the PXE service serves (relative, no `..`, no empty segment). */
const servePath = z
  .string()
  .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))(?!.*\/\/)[A-Za-z0-9._+/-]+$/, 'write a relative path under the PXE root, such as ipxe.efi or assets/talos/v1.12.0/vmlinuz-amd64');

const ImageSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, . _ - (start with a letter or digit)'),
  /** `iso` for boot images, `file` for anything else (such as a pinned Kubernetes manifest). */
  type: z.enum(['iso', 'file']).optional(),
  description: z.string().optional(),
  source: SourceSchema,
  /** Where the reference lab's uploader put the file; recorded and shown, not used here. */
  destination: z.string().optional(),
  /** Recorded and shown, never run: the builder does its own transforms (make-usb). */
  hooks: z.record(z.string(), z.array(HookSchema)).optional(),
  /**
   * Part of the PXE boot tree: the path under the PXE service's root at which this file is
   * served (what a rendered iPXE script or the DHCP answer names). Our addition.
   */
  serve: servePath.optional(),
});

export const ImageManifestSchema = z.strictObject({
  apiVersion: z.literal('images.lab.gilman.io/v1alpha1', { message: 'write apiVersion: images.lab.gilman.io/v1alpha1' }),
  kind: z.literal('ImageManifest', { message: 'write kind: ImageManifest' }),
  metadata: z.looseObject({ name: z.string().optional() }).optional(),
  spec: z.strictObject({ images: z.array(ImageSchema).min(1, 'list at least one image') }),
});

export type ImageManifestDoc = z.infer<typeof ImageManifestSchema>;
export type Hook = z.infer<typeof HookSchema>;

/** One image with everything computed: where to fetch it and the hash it must have. */
export interface ImageEntry {
  name: string;
  type: 'iso' | 'file';
  url: string;
  /** Lower-case hex; absent when the manifest does not pin it yet. */
  sha256?: string;
  description?: string;
  destination?: string;
  schematicId?: string;
  /** The Debian package file it is (import only; see DebianSourceSchema). */
  debian?: { package: string; version: string; file: string; arch: string };
  /** Path under the PXE root it is served at (the boot tree). */
  serve?: string;
  /** Hook kind (preUpload, transform, …) → hooks, as written. */
  hooks: Record<string, Hook[]>;
}

export interface ImageManifest {
  file: string;
  name?: string;
  images: ImageEntry[];
}

export interface ManifestProblem {
  file: string;
  line: number;
  column: number;
  path: (string | number)[];
  message: string;
}

export type ManifestParseResult = { ok: true; manifest: ImageManifest } | { ok: false; problems: ManifestProblem[] };

function locate(doc: Document, lc: LineCounter, path: (string | number)[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function pathText(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
}

export function formatManifestProblem(p: ManifestProblem): string {
  return `${p.file}:${p.line}:${p.column} ${pathText(p.path)}: ${p.message}`;
}

/**
 * Where Debian keeps the package (pool/main/<first letter, or lib + one>/<source>/), for
 * showing only: the binary package name is taken as the source name, which holds for ipxe.
 */
export function debianPoolUrl(d: { package: string; version: string; arch: string }): string {
  const dir = d.package.startsWith('lib') ? d.package.slice(0, 4) : d.package[0]!;
  return `https://deb.debian.org/debian/pool/main/${dir}/${d.package}/${d.package}_${d.version.replace(/^\d+:/, '')}_${d.arch}.deb`;
}

/** Parses a manifest's text (pure: the caller reads the file). */
export function parseManifest(text: string, file: string): ManifestParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1, path: [], message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    };
  }
  const parsed = ImageManifestSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
        const unknown = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')}; check the spelling)` : '';
        return { file, ...locate(doc, lc, path), path, message: `${i.message}${unknown}` };
      }),
    };
  }
  const problems: ManifestProblem[] = [];
  const images: ImageEntry[] = [];
  const seen = new Set<string>();
  parsed.data.spec.images.forEach((img, i) => {
    const at = (path: (string | number)[], message: string) => problems.push({ file, ...locate(doc, lc, path), path, message });
    if (seen.has(img.name)) at(['spec', 'images', i, 'name'], `image name ${img.name} is used twice; names must be unique`);
    seen.add(img.name);
    let url = img.source.url;
    let id: string | undefined;
    if (img.source.schematic) {
      const s = img.source.schematic;
      const schematic: Schematic = { customization: s.customization };
      if (s.overlay) schematic.overlay = s.overlay;
      id = schematicId(schematic);
      const computed = factoryImageUrl(id, s.version, s.artifact, s.factory);
      if (url !== undefined && url !== computed) {
        at(['spec', 'images', i, 'source', 'url'], `the url does not match the schematic (its ID is ${id}, which gives ${computed}); remove the url or fix the customization`);
      }
      url = computed;
    }
    const entry: ImageEntry = {
      name: img.name,
      type: img.type ?? (/\.iso$/i.test(url ?? '') ? 'iso' : 'file'),
      url: url ?? '',
      hooks: img.hooks ?? {},
    };
    if (img.source.checksum) entry.sha256 = img.source.checksum.slice('sha256:'.length).toLowerCase();
    if (img.description) entry.description = img.description;
    if (img.destination) entry.destination = img.destination;
    if (id) entry.schematicId = id;
    if (img.source.debian) {
      entry.debian = img.source.debian;
      if (img.source.url === undefined && !img.source.schematic) entry.url = debianPoolUrl(img.source.debian);
    }
    if (img.serve) {
      const other = images.find((o) => o.serve === img.serve);
      if (other) at(['spec', 'images', i, 'serve'], `${other.name} is already served at ${img.serve}; each path of the boot tree comes from one image`);
      entry.serve = img.serve;
    }
    images.push(entry);
  });
  if (problems.length > 0) return { ok: false, problems };
  const manifest: ImageManifest = { file, images };
  if (parsed.data.metadata?.name) manifest.name = parsed.data.metadata.name;
  return { ok: true, manifest };
}
