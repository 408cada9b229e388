import { addGrubEntry, addSyslinuxEntry, labModuleFile, type ExtraEntry } from '@lab/iso';
import type { Lab } from '@lab/shared';
import { UserError } from '../base/index.js';
import { AGENT_BUNDLE, AGENT_EXE, AGENT_UNIT, LAB_DIR, LAYER_NAME, LIVE_MODULE, onMedium } from './layout.js';
import { agentUnit, startAgentScript, stickReadme } from './scripts.js';

/** A file to stage: text content, or a copy of a file on disk. */
export interface StagedFile {
  /** Path relative to its root (the stick's lab/ directory, or the layer's /). */
  path: string;
  content?: string;
  src?: string;
  /** Symbolic link target (layer only). */
  link?: string;
  mode: number;
}

export interface RunbookFile {
  name: string;
  content?: string;
  src?: string;
}

/** What the base ISO holds that the plan depends on (read by the caller). */
export interface BaseFacts {
  /** /boot/grub/grub.cfg, when the ISO boots through GRUB. */
  grubCfg?: string;
  /** /isolinux/live.cfg, when the ISO boots BIOS through ISOLINUX. */
  syslinuxLiveCfg?: string;
  /** Names of the files in /live. */
  liveNames: string[];
  /** /live/filesystem.module, if the ISO has one. */
  filesystemModule?: string;
}

export interface StickInputs {
  lab: Lab;
  release: string;
  configBoot: string;
  commands: string;
  agentYaml: string;
  agentBundle?: string;
  agentExe?: string;
  /** Runbook files to carry (name on the stick; text, or a file on disk). */
  runbook: RunbookFile[];
  /** Files the agent's PXE role serves (path under lab/pxe; mode 0600 for secret ones). */
  pxeFiles: { path: string; src: string; mode?: number }[];
  /** Boot-tree files from the image cache (loaders, kernels, Harvester rootfs and ISO), by path under lab/pxe. */
  bootAssets?: BootTreeFile[];
}

/** A verified cache file served by the PXE role; mapped into the ISO as it is (never copied: a Harvester ISO is 7 GB). */
export interface BootTreeFile {
  path: string;
  src: string;
  sha256: string;
  image: string;
}

export interface StickPlan {
  entry: ExtraEntry;
  /** Files under /lab on the stick. */
  lab: StagedFile[];
  /** Files of the extra live-boot layer (its root). */
  layer: StagedFile[];
  /** Whole files replaced or added elsewhere in the ISO (absolute ISO paths). */
  replace: { iso: string; content: string }[];
  /** Boot-tree files put into the ISO straight from the cache (absolute ISO paths). */
  assets: (BootTreeFile & { iso: string })[];
  warnings: string[];
}

const SECRET = 0o600;

/**
 * Decides everything the gateway stick adds to the VyOS ISO (pure): the lab files, the layer
 * that starts the agent, the boot entry (first and default, original entries kept after it),
 * and the live-boot module file that stacks the layer only for that entry.
 */
export function planGatewayStick(i: StickInputs, base: BaseFacts): StickPlan {
  const host = i.lab.gateway?.host ?? 'gateway';
  const entry: ExtraEntry = {
    title: `Lab ${i.lab.site.name}: VyOS ${i.release} with the ${host} configuration and agent`,
    args: [`vyos-config=${onMedium('config.boot')}`, `module=${LIVE_MODULE}`],
  };
  const warnings: string[] = [];
  const replace: StickPlan['replace'] = [];
  if (base.grubCfg === undefined && base.syslinuxLiveCfg === undefined) {
    throw new UserError('ERR_MEDIA_NOT_VYOS', 'the base ISO has neither /boot/grub/grub.cfg nor /isolinux/live.cfg, so it is not a VyOS live ISO', 'pass the VyOS ISO with --base, or sync the manifest image named vyos');
  }
  if (base.grubCfg !== undefined) replace.push({ iso: '/boot/grub/grub.cfg', content: addGrubEntry(base.grubCfg, entry) });
  if (base.syslinuxLiveCfg !== undefined) replace.push({ iso: '/isolinux/live.cfg', content: addSyslinuxEntry(base.syslinuxLiveCfg, entry) });
  if (base.grubCfg === undefined) warnings.push('the base ISO has no GRUB configuration: UEFI boots show the original menu only');
  replace.push({ iso: `/live/${LIVE_MODULE}.module`, content: labModuleFile(base.liveNames, LAYER_NAME, base.filesystemModule) });

  const runbookNames = i.runbook.map((r) => r.name);
  const lab: StagedFile[] = [
    { path: 'config.boot', content: i.configBoot, mode: SECRET },
    { path: 'commands.sh', content: i.commands, mode: SECRET },
    { path: 'agent.yaml', content: i.agentYaml, mode: SECRET },
    { path: 'start-agent.sh', content: startAgentScript(), mode: 0o755 },
    {
      path: 'README.txt',
      content: stickReadme({ labName: i.lab.site.name, gatewayHost: host, release: i.release, entryTitle: entry.title, hasAgentExe: Boolean(i.agentExe), runbook: runbookNames, pxe: i.lab.pxe?.host === host }),
      mode: 0o644,
    },
    ...i.runbook.map((r) => ({ path: `runbook/${r.name}`, ...(r.src !== undefined ? { src: r.src } : { content: r.content ?? '' }), mode: 0o644 })),
    ...i.pxeFiles.map((p) => ({ path: `pxe/${p.path}`, src: p.src, mode: p.mode ?? 0o644 })),
  ];
  if (i.lab.pxe?.host === host && i.pxeFiles.length === 0) {
    lab.push({ path: 'pxe/README.txt', content: 'No rendered PXE files were given to builder make-usb; the PXE service has nothing to serve.\n', mode: 0o644 });
  }
  if (i.agentBundle) lab.push({ path: AGENT_BUNDLE, src: i.agentBundle, mode: 0o644 });
  if (i.agentExe) lab.push({ path: AGENT_EXE, src: i.agentExe, mode: 0o755 });
  if (!i.agentExe) warnings.push(`no agent single executable: the stick carries ${LAB_DIR}/${AGENT_BUNDLE}, which runs only where node is installed (VyOS has none)`);
  if (!i.agentExe && !i.agentBundle) throw new UserError('ERR_AGENT_NOT_BUILT', 'no agent to put on the stick', 'run `npm run build` (it writes agent/dist/agent.cjs), or pass --agent FILE');
  if (i.runbook.length === 0) warnings.push('no runbook given: the stick carries lab/README.txt only');
  if (i.lab.pxe?.host === host && i.pxeFiles.length === 0) warnings.push(`the gateway runs the PXE service but nothing was rendered for it (run \`builder render\`, or pass --pxe-root): ${LAB_DIR}/pxe is empty`);

  const layer: StagedFile[] = [
    { path: `etc/systemd/system/${AGENT_UNIT}`, content: agentUnit(), mode: 0o644 },
    { path: `etc/systemd/system/multi-user.target.wants/${AGENT_UNIT}`, link: `../${AGENT_UNIT}`, mode: 0o777 },
  ];
  const assets = i.lab.pxe?.host === host ? (i.bootAssets ?? []).map((a) => ({ ...a, iso: `/${LAB_DIR}/pxe/${a.path}` })) : [];
  return { entry, lab, layer, replace, assets, warnings };
}
