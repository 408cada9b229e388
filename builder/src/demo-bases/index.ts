// Demo base images: what make-usb builds a stick from when the pinned base is not in the image
// cache (`--demo-base`), and what `builder rehearse --demo` boots. Built from Debian parts,
// labelled demo wherever they show.
import { dirname, join } from 'node:path';
import { defaultCacheDir } from '../images/index.js';
import { ensureDemoKernel } from '../rehearse/payload/kernel.js';
import { buildDemoVyosIso, type DemoVyosLayout } from './vyos.js';

export { buildDemoVyosIso, isDemoVyos, type DemoVyosLayout, type DemoVyosOptions } from './vyos.js';
export { DEMO_VYOS_VOLUME_ID, DEMO_VYOS_RELEASE, DEMO_VYOS_DISK_INFO } from './vyos-live.js';
export { demoGatewayInit } from './vyos-gateway.js';
export { ensureDemoTalosBase, usbTalosHosts, DEMO_TALOS_VERSION, type DemoTalosBase } from './talos-demo.js';
export { buildTalosLayoutIso, volumeIdOf, WIPE_ARG, type TalosLayoutInputs, type TalosLayoutKind } from './talos-layout.js';
export { ensureTrixie, type TrixieParts } from './trixie.js';

/** The directory above the image cache (~/.cache/lab-builder). */
export function demoCacheRoot(env: NodeJS.ProcessEnv): string {
  return dirname(defaultCacheDir(env));
}

/** Where demo bases and their Debian kernel are kept: the rehearsal's cache, beside the image cache and never in it (nothing there is pinned). */
export function demoCacheDir(env: NodeJS.ProcessEnv): string {
  return join(demoCacheRoot(env), 'rehearse');
}

/** The demo VyOS base: its Debian kernel fetched once (the rehearsal's), the ISO built once into `<cacheDir>/vyos-demo`. */
export async function demoVyosBase(cacheDir: string, layout?: DemoVyosLayout): Promise<string> {
  const kernel = await ensureDemoKernel(cacheDir);
  return buildDemoVyosIso({ kernel, cacheDir: join(cacheDir, 'vyos-demo'), ...(layout ? { layout } : {}) });
}
