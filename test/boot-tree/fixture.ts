// The example lab with a boot tree of stand-in files: every image of examples/genesis/images.yaml
// that is served on the PXE tree (`serve:`) gets a small file of its own, pinned by its sha256 in
// a copy of the manifest, and imported into a test cache with `builder images import` (never the
// network). The stand-ins are not kernels or loaders: these tests check which files the tree
// holds and their bytes, not what they boot (the PXE role's own tests boot Debian's iPXE).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { EXAMPLE_LAB, freshSecrets, ROOT } from '../gateway-stick/fixture.js';

export const EXAMPLE_MANIFEST = join(ROOT, 'examples/genesis/images.yaml');
/** The Cilium stand-in the example lab's render needs (its images.yaml entry is not pinned yet). */
export const CILIUM_STANDIN = join(ROOT, 'builder/test/render/fixtures/cilium-install.yaml');

export interface StandinAsset {
  name: string;
  serve: string;
  file: string;
  sha256: string;
}

export interface BootTreeLab {
  dir: string;
  labFile: string;
  cache: string;
  assets: StandinAsset[];
  builder(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Rewrites the lab's images.yaml: `edit` gets each served image (YAML map) by name. */
  editManifest(edit: (name: string, image: YAMLMap) => boolean | void): Promise<void>;
}

/** The example lab and its secrets in a fresh directory, its served images stood in and cached. */
export async function bootTreeLab(): Promise<BootTreeLab> {
  const { paths } = await freshSecrets();
  const dir = paths.root.replace(/\/state$/, '');
  const labFile = join(dir, 'lab.yaml');
  await copyFile(EXAMPLE_LAB, labFile);
  const cache = join(dir, 'cache');
  const doc = parseDocument(await readFile(EXAMPLE_MANIFEST, 'utf8'));
  const assets: StandinAsset[] = [];
  await mkdir(join(dir, 'standins'));
  const images = doc.getIn(['spec', 'images']) as YAMLSeq<YAMLMap>;
  images.items = images.items.filter((img) => img.get('serve') !== undefined);
  for (const img of images.items) {
    const name = String(img.get('name'));
    const serve = String(img.get('serve'));
    const content = `stand-in for ${name}, served at ${serve}\n`;
    const file = join(dir, 'standins', name);
    await writeFile(file, content);
    const sha256 = createHash('sha256').update(content).digest('hex');
    img.setIn(['source', 'checksum'], `sha256:${sha256}`);
    assets.push({ name, serve, file, sha256 });
  }
  await writeFile(join(dir, 'images.yaml'), doc.toString());
  const builder = async (...argv: string[]) => {
    const io = memoryIo(dir);
    const code = await dispatch(argv, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  };
  for (const a of assets) {
    const r = await builder('images', 'import', a.file, '--name', a.name, '--lab', labFile, '--cache', cache);
    if (r.code !== 0) throw new Error(`images import ${a.name}: ${r.stderr}`);
  }
  const editManifest: BootTreeLab['editManifest'] = async (edit) => {
    const d = parseDocument(await readFile(join(dir, 'images.yaml'), 'utf8'));
    const list = d.getIn(['spec', 'images']) as YAMLSeq<YAMLMap>;
    list.items = list.items.filter((img) => edit(String(img.get('name')), img) !== false);
    await writeFile(join(dir, 'images.yaml'), d.toString());
  };
  return { dir, labFile, cache, assets, builder, editManifest };
}
