// Where the pinned manifests a render embeds come from: Argo CD's install.yaml (image
// argocd-install) and the pre-rendered Cilium manifest (the lab's cni.image, cilium-install by
// default). Each is taken from --argocd-manifest / --cilium-manifest FILE, else from the
// checksum-verified image cache. Shared by `render` and by make-usb's check that a stick carries
// what the lab renders now.
import { resolve } from 'node:path';
import { cniPlan, type Lab } from '@lab/shared';
import { readInput, UserError, type ErrorKind } from '../base/index.js';
import { resolveImage } from '../images/index.js';
import { ARGOCD_IMAGE } from './argocd.js';
import type { PinnedManifest } from './cilium.js';

export interface ManifestSourceOptions {
  labFile: string;
  cache?: string;
  /** --argocd-manifest FILE */
  manifest?: string;
  /** --cilium-manifest FILE */
  ciliumManifest?: string;
  withoutArgocd?: boolean;
  /** --without-cni: no Cilium inline manifest (the operator applies a CNI by hand). */
  withoutCni?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** What the operator chose for the inline manifests (the four manifest flags of render and make-usb). */
export type ManifestChoice = Pick<ManifestSourceOptions, 'manifest' | 'ciliumManifest' | 'withoutArgocd' | 'withoutCni'>;

interface Wanted {
  image: string;
  /** Its refusal, with the code the catalogue lists for it. */
  missing: (message: string, hint: string, options: { kind: ErrorKind; cause: unknown }) => UserError;
  /** What needs it, for the message. */
  why: string;
  /** Ways out beside the cache, for the hint. */
  otherwise: string;
  flag: string;
  label: string;
}

async function fromCache(o: ManifestSourceOptions, w: Wanted): Promise<string> {
  try {
    return (await resolveImage(w.image, { lab: o.labFile, cache: o.cache, cwd: o.cwd, env: o.env })).path;
  } catch (err) {
    if (err instanceof UserError) {
      throw w.missing(
        `${w.why}, whose manifest (image ${w.image}) is not available: ${err.message}`,
        `fetch it with \`builder images sync ${w.image}\` (offline: \`builder images import FILE --name ${w.image}\`), ${w.otherwise}${err.hint ? `; about the cache: ${err.hint}` : ''}`,
        { kind: err.kind, cause: err },
      );
    }
    throw err;
  }
}

async function pinned(o: ManifestSourceOptions, flag: string | undefined, w: Wanted): Promise<PinnedManifest> {
  const file = flag ? resolve(o.cwd, flag) : await fromCache(o, w);
  const { text } = await readInput(file, o.cwd, w.label, `pass --${w.flag} FILE, or run \`builder images sync ${w.image}\``, 32 << 20);
  return { text, source: file };
}

/** The Argo CD manifest a render of this lab embeds; undefined without gitops or with --without-argocd. */
export async function argocdManifest(lab: Lab, o: ManifestSourceOptions): Promise<PinnedManifest | undefined> {
  if (!lab.clusters.platform?.gitops || o.withoutArgocd) return undefined;
  return pinned(o, o.manifest, {
    image: ARGOCD_IMAGE,
    missing: (message, hint, options) => new UserError('ERR_ARGOCD_MANIFEST_MISSING', message, hint, options),
    why: "the platform cluster's Talos configs bootstrap Argo CD",
    otherwise: 'pass --argocd-manifest FILE, or render without it: `builder render --without-argocd` (install Argo CD yourself once the cluster is up)',
    label: 'the Argo CD manifest',
    flag: 'argocd-manifest',
  });
}

/** The Cilium manifest a render of this lab embeds; undefined unless the lab's cni is cilium via inline. */
export async function ciliumManifest(lab: Lab, o: ManifestSourceOptions): Promise<PinnedManifest | undefined> {
  const image = lab.clusters.platform ? cniPlan(lab.clusters.platform).ciliumImage : undefined;
  if (!image || o.withoutCni) return undefined;
  return pinned(o, o.ciliumManifest, {
    image,
    missing: (message, hint, options) => new UserError('ERR_CNI_MANIFEST_MISSING', message, hint, options),
    why: "the platform cluster's CNI is Cilium as an inline manifest",
    otherwise: 'or pass --cilium-manifest FILE',
    label: 'the Cilium manifest',
    flag: 'cilium-manifest',
  });
}

/** Both pinned manifests of a render, as renderLab takes them. */
export async function pinnedManifests(lab: Lab, o: ManifestSourceOptions): Promise<{ argocd?: PinnedManifest; cilium?: PinnedManifest }> {
  const argocd = await argocdManifest(lab, o);
  const cilium = await ciliumManifest(lab, o);
  return { ...(argocd ? { argocd } : {}), ...(cilium ? { cilium } : {}) };
}
