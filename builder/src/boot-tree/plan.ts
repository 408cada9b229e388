import type { ImageEntry } from '../images/index.js';
import type { NamedFile } from './scan.js';

/** Where each named file comes from, or why it cannot (pure: what the cache holds is asked later). */
export type Source =
  | { kind: 'tree'; file: NamedFile; image?: ImageEntry }
  | { kind: 'image'; file: NamedFile; image: ImageEntry & { sha256: string } }
  | { kind: 'unpinned'; file: NamedFile; image: ImageEntry }
  | { kind: 'unknown'; file: NamedFile };

/**
 * Matches each named file to the tree (what `builder render` wrote, or --pxe-root) or to the
 * manifest image served at that path. A tree file at a path an image serves is still checked
 * against that image's pin later, so a stale kernel in --pxe-root is caught.
 */
export function planBootTree(named: NamedFile[], tree: ReadonlySet<string>, images: readonly ImageEntry[]): Source[] {
  return named.map((file): Source => {
    const image = images.find((i) => i.serve === file.path);
    if (tree.has(file.path)) return image ? { kind: 'tree', file, image } : { kind: 'tree', file };
    if (!image) return { kind: 'unknown', file };
    if (!image.sha256) return { kind: 'unpinned', file, image };
    return { kind: 'image', file, image: { ...image, sha256: image.sha256 } };
  });
}

const byText = (f: NamedFile) => (f.by.length === 1 ? f.by[0]! : `${f.by[0]!} and ${f.by.length - 1} more`);

/** One line of the refusal: the file, what names it, why it is missing and the command that fixes it. */
export function missingLine(s: Source, manifestFile: string, state?: 'not-cached'): string {
  const head = `${s.file.path} (named by ${byText(s.file)})`;
  if (s.kind === 'unknown') return `${head}: no image of ${manifestFile} is served there; add one with \`serve: ${s.file.path}\`, or put the file in the PXE tree (--pxe-root)`;
  if (s.kind === 'unpinned') return `${head}: image ${s.image.name} has no checksum in ${manifestFile}; pin it (\`builder images sync ${s.image.name}\` prints the hash of what it downloads), then fetch it`;
  if (s.kind === 'image' && state === 'not-cached') {
    const fetch = s.image.debian ? `\`builder images sync ${s.image.name}\` says how to import it from the Debian package` : `run \`builder images sync ${s.image.name}\``;
    return `${head}: image ${s.image.name} is not in the image cache; ${fetch} (offline: \`builder images import FILE --name ${s.image.name}\`)`;
  }
  return head;
}
