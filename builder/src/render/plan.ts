import { cniPlan, type Lab } from '@lab/shared';
import { renderGateway } from '../vyos/gateway/index.js';
import type { LabSecrets } from '../secrets/index.js';
import { argocdInlineManifests } from './argocd.js';
import { ciliumInlineManifest, type PinnedManifest } from './cilium.js';
import { renderKubeconfig, renderTalosconfig } from './clients.js';
import { RenderError } from './errors.js';
import { renderHarvesterConfig } from './harvester.js';
import { harvesterIpxe, pxeNic, talosIpxe } from './ipxe.js';
import { macFileName, pxeBase } from './pxe-urls.js';
import { renderTalosConfig, type InlineManifest } from './talos.js';
import { tinkerbellHardware } from './tinkerbell.js';

/** One output file, relative to the render directory. */
export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
}

export interface RenderInputs {
  lab: Lab;
  secrets: LabSecrets;
  /** Argo CD's install.yaml (needed when the platform cluster has gitops). */
  argocd?: { text: string; source: string };
  /** The pre-rendered Cilium manifest (needed when the platform cluster's cni is cilium via inline). */
  cilium?: PinnedManifest;
  /**
   * Render the Talos configs without the Cilium inline manifest even though the lab has one
   * (`--without-cni`: the nodes stay NotReady until a CNI is applied by hand; the rehearsal's demo
   * nodes, which run no CNI).
   */
  withoutCni?: boolean;
  /** Render the Talos configs without the Argo CD bootstrap even though the lab has gitops. */
  withoutArgocd?: boolean;
  /** Whether to render the VyOS gateway (false when the gateway renderer is unavailable). */
  gateway?: boolean;
}

/** Files holding keys, tokens or password hashes. */
const SECRET = 0o600;
const PUBLIC = 0o644;

/**
 * Everything `builder render` writes, decided purely from the lab, its secrets and the Argo CD
 * manifest: same inputs, byte-identical files. Sorted by path.
 */
export function renderLab(inputs: RenderInputs): RenderedFile[] {
  const { lab, secrets } = inputs;
  const files: RenderedFile[] = [];
  const platform = lab.clusters.platform;
  const harvester = lab.clusters.harvester;
  const base = pxeBase(lab);

  if (platform) {
    const inline: InlineManifest[] = [];
    const cni = cniPlan(platform);
    if (cni.ciliumImage && !inputs.withoutCni) {
      if (!inputs.cilium) {
        throw new RenderError(
          'ERR_CNI_MANIFEST_MISSING',
          `the platform cluster's CNI is Cilium as an inline manifest, but no Cilium manifest was given`,
          `pin it in images.yaml and run \`builder images sync ${cni.ciliumImage}\` (or \`builder images import FILE --name ${cni.ciliumImage}\`), or pass --cilium-manifest FILE`,
        );
      }
      // First, so that the pod network is there before anything else needs it.
      inline.push(ciliumInlineManifest(lab, inputs.cilium, cni.ciliumImage));
    }
    if (platform.gitops && !inputs.withoutArgocd) {
      if (!inputs.argocd) {
        throw new RenderError(
          'ERR_ARGOCD_MANIFEST_MISSING',
          'the platform cluster has gitops, so its Talos configs bootstrap Argo CD, but no Argo CD install manifest was given',
          'pin and fetch it with `builder images sync argocd-install` (see images.yaml), or pass --argocd-manifest FILE',
        );
      }
      inline.push(...argocdInlineManifests(lab, inputs.argocd));
    }
    for (const host of platform.hosts) files.push({ path: `talos/${host}.yaml`, content: renderTalosConfig(lab, host, secrets, inline), mode: SECRET });
    files.push({ path: 'talosconfig', content: renderTalosconfig(lab, secrets), mode: SECRET });
    files.push({ path: 'kubeconfig', content: renderKubeconfig(lab, secrets), mode: SECRET });
  }

  if (harvester) {
    for (const host of harvester.hosts) files.push({ path: `harvester/${host}.yaml`, content: renderHarvesterConfig(lab, host, secrets), mode: SECRET });
  }

  const pxeHosts = lab.hosts.filter((h) => h.boot === 'pxe' && h.nics.length > 0);
  if (pxeHosts.length > 0 && !base) {
    throw new RenderError('ERR_LAB_NO_PXE', `hosts ${pxeHosts.map((h) => h.name).join(', ')} boot by PXE but the lab has no pxe section`, 'add pxe: { host, network, address } to the lab');
  }
  for (const host of pxeHosts) {
    const nic = pxeNic(host)!;
    let script: string | undefined;
    if (harvester?.hosts.includes(host.name)) script = harvesterIpxe(lab, host.name, base!);
    else if (platform?.hosts.includes(host.name)) script = talosIpxe(lab, host.name, base!);
    if (script) files.push({ path: `ipxe/${macFileName(nic.mac)}.ipxe`, content: script, mode: PUBLIC });
    files.push({ path: `tinkerbell/${host.name}.yaml`, content: tinkerbellHardware(lab, host.name, base!), mode: PUBLIC });
  }

  if (lab.gateway && inputs.gateway !== false) {
    const gw = renderGateway(lab, secrets);
    files.push({ path: 'vyos/config.boot', content: gw.configBoot, mode: SECRET });
    files.push({ path: 'vyos/commands.sh', content: gw.commands, mode: SECRET });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
