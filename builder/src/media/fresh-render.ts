// A stick must carry what the lab and its secrets render now, not what an earlier `builder render`
// left in <state>/rendered: make-usb renders in memory, compares with the files it is about to
// put on the stick, and refuses naming what differs and the command to run. It does not write
// the render itself, so <state>/rendered stays the one copy that talosctl, the runbook and the
// PXE service read. Differences are named by file and by document key path, never by value.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '@lab/shared';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../base/index.js';
import { checkRender, pinnedManifests, RenderError, renderLab, type Difference, type ManifestSourceOptions, type PinnedManifest, type RenderedFile } from '../render/index.js';
import type { LabSecrets } from '../secrets/index.js';

export interface FreshnessInput {
  lab: Lab;
  secrets: LabSecrets;
  /** <state>/rendered */
  rendered: string;
  /** Where the render's pinned manifests (Argo CD, Cilium) come from. */
  manifests: ManifestSourceOptions;
  /** Which rendered files the stick carries. */
  select: (path: string) => boolean;
}

type Doc = Record<string, unknown>;

/** The name a document goes by: v1alpha1 for the machine config, else kind[/name]. */
function docName(d: Doc): string {
  if (typeof d.kind !== 'string') return 'v1alpha1 config';
  return typeof d.name === 'string' ? `${d.kind}/${d.name}` : d.kind;
}

function keyPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 8) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) keyPaths((a as Doc)[k], (b as Doc)[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path || '(whole document)');
}

/** Key paths where two multi-document YAML files differ, e.g. `VLANConfig/lab0.20: addresses[0].address`. Pure. */
export function yamlKeyDifferences(current: string, expected: string): string[] {
  const docs = (text: string) => {
    const m = new Map<string, unknown>();
    for (const d of parseAllDocuments(text)) {
      const v = d.toJS() as unknown;
      if (v && typeof v === 'object') m.set(docName(v as Doc), v);
    }
    return m;
  };
  const [a, b] = [docs(current), docs(expected)];
  const out: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])]) {
    if (!a.has(name)) out.push(`${name}: missing from the rendered file`);
    else if (!b.has(name)) out.push(`${name}: no longer rendered`);
    else {
      const paths: string[] = [];
      keyPaths(a.get(name), b.get(name), '', paths);
      out.push(...paths.map((p) => `${name}: ${p}`));
    }
  }
  return out.slice(0, 8);
}

function render(input: FreshnessInput, pinned: { argocd?: PinnedManifest; cilium?: PinnedManifest }, withoutArgocd: boolean): RenderedFile[] {
  try {
    return renderLab({ lab: input.lab, secrets: input.secrets, ...pinned, withoutArgocd, withoutCni: input.manifests.withoutCni === true }).filter((f) => input.select(f.path));
  } catch (err) {
    if (err instanceof RenderError) throw new UserError(err.code, err.message, err.hint, { cause: err });
    throw err;
  }
}

async function describe(rendered: string, d: Difference, files: RenderedFile[]): Promise<string> {
  if (d.change === 'missing') return `${d.path}: not rendered yet`;
  if (d.change === 'mode') return `${d.path}: file mode differs`;
  const now = await readFile(join(rendered, d.path), 'utf8');
  const keys = /\.ya?ml$/.test(d.path) ? yamlKeyDifferences(now, files.find((f) => f.path === d.path)!.content) : [];
  return keys.length ? `${d.path}: ${keys.join('; ')}` : `${d.path}: content differs`;
}

/** Throws ERR_RENDERED_STALE when the selected files on disk are not what renders now. */
export async function requireFreshRender(input: FreshnessInput): Promise<void> {
  const pinned = await pinnedManifests(input.lab, input.manifests);
  const files = render(input, pinned, input.manifests.withoutArgocd === true);
  const diffs = await checkRender(input.rendered, files);
  if (diffs.length === 0) return;
  const lines = await Promise.all(diffs.slice(0, 6).map((d) => describe(input.rendered, d, files)));
  let hint = `run \`builder render${input.manifests.withoutArgocd ? ' --without-argocd' : ''}${input.manifests.withoutCni ? ' --without-cni' : ''}\`, then make-usb again`;
  // A render made with --without-argocd is the usual cause when only the Argo CD bootstrap differs.
  if (pinned.argocd && (await checkRender(input.rendered, render(input, { ...pinned, argocd: undefined }, true))).length === 0) {
    hint = 'it was rendered with --without-argocd (no Argo CD bootstrap): run `builder render` to include it, or pass --without-argocd to make-usb to put it on the stick as it is';
  }
  throw new UserError(
    'ERR_RENDERED_STALE',
    `${input.rendered} is not what the lab and its secrets render now, so the stick would carry an old configuration:\n${lines.map((l) => `  ${l}`).join('\n')}${diffs.length > 6 ? `\n  … and ${diffs.length - 6} more files` : ''}`,
    hint,
  );
}
