// Where the Argo CD install manifest for a render comes from: --argocd-manifest FILE, else the
// checksum-verified image cache (image argocd-install). Shared by `render` and by make-usb's
// check that a stick carries what the lab renders now.
import { resolve } from 'node:path';
import type { Lab } from '@lab/shared';
import { readInput, UserError } from '../base/index.js';
import { resolveImage } from '../images/index.js';
import { ARGOCD_IMAGE } from './argocd.js';

export interface ArgocdSourceOptions {
  labFile: string;
  cache?: string;
  /** --argocd-manifest FILE */
  manifest?: string;
  withoutArgocd?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

async function argocdFromCache(o: ArgocdSourceOptions): Promise<string> {
  try {
    return (await resolveImage(ARGOCD_IMAGE, { lab: o.labFile, cache: o.cache, cwd: o.cwd, env: o.env })).path;
  } catch (err) {
    if (err instanceof UserError) {
      throw new UserError(
        'ERR_ARGOCD_MANIFEST_MISSING',
        `the platform cluster's Talos configs bootstrap Argo CD, whose manifest (image ${ARGOCD_IMAGE}) is not available: ${err.message}`,
        `fetch it with \`builder images sync ${ARGOCD_IMAGE}\` (offline: \`builder images import FILE --name ${ARGOCD_IMAGE}\`), pass --argocd-manifest FILE, or render without it: \`builder render --without-argocd\` (install Argo CD yourself once the cluster is up)${err.hint ? `; about the cache: ${err.hint}` : ''}`,
        { kind: err.kind, cause: err },
      );
    }
    throw err;
  }
}

/** The manifest a render of this lab embeds; undefined without gitops or with --without-argocd. */
export async function argocdManifest(lab: Lab, o: ArgocdSourceOptions): Promise<{ text: string; source: string } | undefined> {
  if (!lab.clusters.platform?.gitops || o.withoutArgocd) return undefined;
  const file = o.manifest ? resolve(o.cwd, o.manifest) : await argocdFromCache(o);
  const { text } = await readInput(file, o.cwd, 'the Argo CD manifest', 'pass --argocd-manifest FILE, or run `builder images sync argocd-install`', 32 << 20);
  return { text, source: file };
}
