// make-usb for the UM760: picks the host, its rendered Talos config and the cached base ISO,
// and has the media toolkit embed one into the other.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EMBED_STEPS, embedTalosConfig, reportKernelArgs, sha256File, type EmbedResult } from '@lab/iso';
import type { Host, Lab } from '@lab/shared';
// The lab loader (zod, yaml) and the image cache load only when a run needs them: with --base,
// --config and --out given, neither is read and start-up stays short.
import { UserError, UsageError } from '../base/index.js';
import { DEFAULT_LAB_FILE, statePathsFor } from '../state/index.js';
import { toUserError } from './errors.js';
import { renderedTalosConfig } from './rendered.js';
import type { ManifestChoice } from '../render/index.js';
import type { DemoTalosBase } from '../demo-bases/index.js';

/** The image cache's refusals that --demo-base answers with the demo base: the pinned base is not there. */
const DEMO_WHEN: string[] = ['ERR_IMAGE_NOT_CACHED', 'ERR_IMAGE_NOT_PINNED'];

/** Builds (or finds cached) the demo Talos base for the lab (a failed build is ERR_DEMO_BASE_BUILD, naming the program and its package). */
async function demoTalosBase(lab: Lab, o: MakeUsbOptions): Promise<DemoTalosBase> {
  const { ensureDemoTalosBase, demoCacheRoot } = await import('../demo-bases/index.js');
  const demo = await ensureDemoTalosBase(lab, o.demoCache ?? join(demoCacheRoot(o.env), 'rehearse'));
  o.log(`demo base  ${demo.path} (${demo.built ? 'built' : 'cached'}: ${demo.label}, ${demo.kernelPkg}, prepared events for ${demo.hosts.join(', ') || 'no host'})`);
  return demo;
}

export const TARGETS = ['um760'] as const;
export const BASE_IMAGE = 'talos-metal';

export interface MakeUsbOptions {
  target: string;
  lab?: string;
  state?: string;
  base?: string;
  baseSha256?: string;
  config?: string;
  out?: string;
  cache?: string;
  /** The render to compare with: the manifest flags (with or without Argo CD and Cilium, or from these files). */
  manifests?: ManifestChoice;
  /**
   * Build from the demo base (builder/src/demo-bases: Talos's layout from Debian parts, labelled
   * demo): `if-not-cached` (--demo-base) when the pinned base is not in the image cache instead of
   * refusing; `always` (the demo rehearsal, which cannot boot the real Talos) whatever the cache holds.
   */
  demoBase?: 'if-not-cached' | 'always';
  /** Where demo bases and their Debian parts are cached (default ~/.cache/lab-builder/rehearse, shared with the rehearsal). */
  demoCache?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Called as each of MAKE_USB_STEPS starts (the progress bar). */
  onStep?: (step: string) => void;
}

/** The UM760 stick's steps: the render check, then the embedder's. */
export const MAKE_USB_STEPS = ['check the rendered config', ...EMBED_STEPS] as const;

/** SOURCE_DATE_EPOCH (reproducible builds): every timestamp on the medium, when it is set. */
function sourceDateEpoch(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The host a target's stick boots: same model, booted from USB. Pure. */
export function usbHost(lab: Lab, target: string): Host {
  const hosts = lab.hosts.filter((h) => h.model === target && h.boot === 'usb');
  if (hosts.length === 0) throw new UserError('ERR_LAB_NO_USB_HOST', `the lab has no host with model ${target} and boot: usb`, `add one under hosts (model: ${target}, boot: usb), or check --target`);
  if (hosts.length > 1) throw new UserError('ERR_LAB_USB_HOSTS_AMBIGUOUS', `the lab has ${hosts.length} hosts with model ${target} and boot: usb (${hosts.map((h) => h.name).join(', ')})`, 'keep one USB-booted host per model');
  return hosts[0]!;
}

/**
 * The collector's event sink and kernel-log receiver as kernel arguments, unless the lab switches
 * them off (collector.kernelArgs: false).
 */
async function earlyReportArgs(lab: Lab): Promise<string[]> {
  if (!lab.collector.kernelArgs) return [];
  const { collectorEndpoints } = await import('../render/index.js');
  const c = collectorEndpoints(lab);
  return reportKernelArgs(c.talosEvents, c.kmsg);
}

/** What make-usb built: the embedder's result, the host, and the demo base when it was built from one. */
export type MakeUsbResult = EmbedResult & { host?: string; demoBase?: DemoTalosBase };

export async function makeUsb(o: MakeUsbOptions): Promise<MakeUsbResult> {
  // vp6630 (the gateway stick) is dispatched to builder/src/gateway-stick before this point.
  if (!(TARGETS as readonly string[]).includes(o.target)) throw new UsageError('ERR_USAGE_FLAG_VALUE', `unknown target ${o.target}`, `use --target um760 (or vp6630 for the gateway stick)`);
  const labFile = resolve(o.cwd, o.lab ?? DEFAULT_LAB_FILE);
  const paths = statePathsFor(o, o.cwd);
  if (o.demoBase && o.base) throw new UsageError('ERR_USAGE_FLAG_CONFLICT', 'make-usb: --demo-base and --base exclude each other', 'pass --base ISO to build from that ISO, or --demo-base to build from the demo base when the pinned one is not cached');
  // A demo base is built for the lab (its hosts' prepared events).
  const needLab = !o.config || !o.base || !o.out || o.demoBase !== undefined;
  const lab = needLab ? (await (await import('../lab/index.js')).requireLab(labFile, o.cwd)).lab : undefined;
  const host = lab ? usbHost(lab, o.target).name : undefined;
  const kernelArgs = lab ? await earlyReportArgs(lab) : [];

  const configPath = o.config ? resolve(o.cwd, o.config) : renderedTalosConfig(paths, host!);
  if (!o.config && lab) {
    o.onStep?.('check the rendered config');
    // An explicit --config is embedded as given; the rendered one must be what renders now.
    const { loadSecrets } = await import('../secrets/index.js');
    const { requireFreshRender } = await import('./fresh-render.js');
    const rel = `talos/${host}.yaml`;
    await requireFreshRender({
      lab,
      secrets: await loadSecrets(paths),
      rendered: paths.rendered,
      manifests: { labFile, cache: o.cache, ...o.manifests, cwd: o.cwd, env: o.env },
      select: (p) => p === rel,
    });
  }
  let config: Buffer;
  try {
    config = await readFile(configPath);
  } catch {
    throw new UserError(
      'ERR_RENDERED_CONFIG_MISSING',
      `no Talos config at ${configPath}`,
      o.config ? 'check the --config path' : `render it first (\`builder render\`), or pass the config with --config FILE`,
    );
  }

  let base: string;
  let expected = o.baseSha256;
  let trusted = false;
  let demo: DemoTalosBase | undefined;
  if (o.base) base = resolve(o.cwd, o.base);
  else if (o.demoBase === 'always') {
    demo = await demoTalosBase(lab!, o);
    base = demo.path;
  } else {
    const { resolveImage } = await import('../images/index.js');
    try {
      const image = await resolveImage(BASE_IMAGE, { lab: labFile, cache: o.cache, cwd: o.cwd, env: o.env });
      base = image.path;
      expected = image.sha256;
      trusted = image.hashUnchanged;
    } catch (err) {
      if (!o.demoBase || !(err instanceof UserError) || !DEMO_WHEN.includes(err.code)) throw err;
      o.log(`the pinned base ${BASE_IMAGE} is not usable (${err.message}): building from the DEMO base instead (Debian's kernel and a demo Talos node, not Talos)`);
      demo = await demoTalosBase(lab!, o);
      base = demo.path;
    }
  }
  // A stick from the demo base says so in its file name too.
  const out = o.out ? resolve(o.cwd, o.out) : join(paths.media, `${host}-${o.target}${demo ? '-demo' : ''}.iso`);

  o.log(`base ISO   ${base}`);
  o.log(`config     ${configPath}${host ? ` (host ${host})` : ''}`);
  const inputs: Record<string, string> = {};
  if (needLab) inputs.lab = await sha256File(labFile);
  try {
    const epoch = sourceDateEpoch(o.env);
    if (demo) inputs.demoBase = await sha256File(base);
    const result = await embedTalosConfig({ baseIso: base, config, out, expectedBaseSha256: expected, baseHashTrusted: trusted, target: o.target, inputs, kernelArgs, ...(o.onStep ? { onStep: o.onStep } : {}), ...(epoch === undefined ? {} : { epoch }) });
    return { ...result, host, ...(demo ? { demoBase: demo } : {}) };
  } catch (err) {
    throw toUserError(err);
  }
}
