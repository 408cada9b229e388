// make-usb --target vp6630: the VyOS gateway stick with the lab's configuration, the agent and
// the runbook. Inputs come through the one --lab/--state loader and media/rendered.ts.
import { existsSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { sha256File } from '@lab/iso';
import { UsageError, UserError, type Io } from '../base/index.js';
import { EXIT } from './exit.js';
import { labCommands } from './hints.js';
import { demoBaseRequested, flagString as str, type FlagValues as Values } from './make-usb-targets.js';
import { manifestChoice } from './manifest-flags.js';
import { requireLabAndState } from '../lab/index.js';
import { loadSecrets } from '../secrets/index.js';
import { resolveImage } from '../images/index.js';
import { buildRunbook, renderHtml, renderMarkdown } from '../runbook/index.js';
import { GATEWAY_STICK_STEPS, makeGatewayStick, type RunbookFile } from '../gateway-stick/index.js';
import { stepBar } from '../media/step-bar.js';
import { builtAgent, filesUnder, renderedPxeTree, servedTree, SERVED_PXE_DIRS } from '../media/rendered.js';
import { requireFreshRender } from '../media/fresh-render.js';
import { labBootTree } from '../boot-tree/index.js';
import { demoCacheDir, demoVyosBase } from '../demo-bases/index.js';


function existingFile(path: string, flag: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError('ERR_INPUT_UNREADABLE', `${flag} ${path}: no such file`, `check the path given to ${flag}`);
  return path;
}

function existingDir(path: string, flag: string, hint: string): string {
  if (!existsSync(path)) throw new UsageError('ERR_INPUT_UNREADABLE', `${flag} ${path}: no such directory`, hint);
  return path;
}

/**
 * The VyOS ISO: --base (checked against --base-sha256 when given) or the cached image vyos; with
 * --demo-base, the demo VyOS base (built from Debian parts) when that image is not cached.
 */
async function baseIso(values: Values, labFile: string, io: Io): Promise<{ path: string; demo: boolean }> {
  const given = str(values.base);
  if (given && demoBaseRequested(values)) throw new UsageError('ERR_USAGE_FLAG_CONFLICT', '--base and --demo-base exclude each other', 'pass --base ISO to use that ISO, or --demo-base to fall back to the demo base when the pinned one is not cached');
  if (!given) {
    try {
      return { path: (await resolveImage('vyos', { lab: labFile, cache: str(values.cache), cwd: io.cwd, env: io.env })).path, demo: false };
    } catch (err) {
      if (!demoBaseRequested(values) || !(err instanceof UserError) || !['ERR_IMAGE_NOT_CACHED', 'ERR_IMAGE_NOT_PINNED'].includes(err.code)) throw err;
      io.err(`make-usb: ${err.message}\nmake-usb: --demo-base: building from the VyOS DEMO base instead (Debian parts, not VyOS: it applies the config's interfaces, addresses, routes and DHCP relay, and ignores the rest)\n`);
      return { path: await demoVyosBase(demoCacheDir(io.env)), demo: true };
    }
  }
  const base = existingFile(resolve(io.cwd, given), '--base');
  const want = str(values['base-sha256']);
  if (want) {
    const got = await sha256File(base);
    if (got !== want.toLowerCase()) throw new UserError('ERR_IMAGE_CHECKSUM_MISMATCH', `--base ${base} has sha256 ${got}, not ${want}`, 'use the VyOS ISO the manifest pins, or fix --base-sha256');
  }
  return { path: base, demo: false };
}

export async function run(values: Values, io: Io): Promise<number> {
  const manifests = manifestChoice(values);
  const flags = { lab: str(values.lab), state: str(values.state) };
  const { lab, labFile, paths } = await requireLabAndState(flags, io.cwd);
  if (!lab.gateway) throw new UserError('ERR_LAB_NO_GATEWAY', 'the lab has no gateway section, so there is nothing to put on the gateway stick', 'add gateway: to the lab file');
  const secrets = await loadSecrets(paths);
  const { path: base, demo } = await baseIso(values, resolve(io.cwd, labFile), io);
  // A stick from the demo base says so in its name too.
  const out = str(values.out) ? resolve(io.cwd, str(values.out)!) : join(paths.media, `${lab.gateway.host}-vp6630${demo ? '-demo' : ''}.iso`);

  const built = builtAgent();
  const agentBundle = str(values.agent) ? existingFile(resolve(io.cwd, str(values.agent)!), '--agent') : built.bundle;
  const agentExe = str(values['agent-exe']) ? existingFile(resolve(io.cwd, str(values['agent-exe'])!), '--agent-exe') : built.exe;
  let runbook: RunbookFile[];
  if (str(values.runbook)) {
    const dir = existingDir(resolve(io.cwd, str(values.runbook)!), '--runbook', 'render the runbook first, or leave --runbook out');
    runbook = (await filesUnder(dir)).filter((f) => !f.path.includes('/') && /\.(html|md)$/.test(f.path)).map((f) => ({ name: f.path, src: f.src }));
  } else {
    // The offline runbook of this lab, rendered now, so the stick never carries a stale one.
    // Absolute paths and commands that name the lab: the stick's copy is read far from this directory.
    const book = buildRunbook(lab, { labArg: resolve(io.cwd, labFile), stateDir: paths.root, commands: labCommands(flags, io.cwd) });
    runbook = [
      { name: 'runbook.html', content: renderHtml(book) },
      { name: 'runbook.md', content: renderMarkdown(book) },
    ];
  }
  const pxeRoot = str(values['pxe-root']);
  if (lab.pxe?.host === lab.gateway.host && !pxeRoot) {
    // The PXE service serves these files from the stick: they must be what renders now.
    await requireFreshRender({
      lab,
      secrets,
      rendered: paths.rendered,
      manifests: { labFile, cache: str(values.cache), ...manifests, cwd: io.cwd, env: io.env },
      select: (p) => SERVED_PXE_DIRS.includes(p.split('/')[0]!),
    });
  }
  const pxeFiles =
    lab.pxe?.host !== lab.gateway.host ? [] : pxeRoot ? await servedTree(existingDir(resolve(io.cwd, pxeRoot), '--pxe-root', 'render the PXE tree first, or leave --pxe-root out')) : await renderedPxeTree(paths);
  // Every file the served scripts and the DHCP answers name: in the tree, or from the image cache.
  const withoutAssets = values['without-boot-assets'] === true;
  if (withoutAssets && lab.pxe?.host === lab.gateway.host) io.err('make-usb: --without-boot-assets: the stick carries the PXE scripts but not the boot tree they name (loaders, kernels, initrds): its PXE service cannot boot a host until a stick is made with them\n');
  const bootAssets =
    lab.pxe?.host !== lab.gateway.host || withoutAssets ? [] : await labBootTree({ lab, labFile, cache: str(values.cache), cwd: io.cwd, env: io.env, tree: pxeFiles.map((f) => ({ path: f.path, src: f.src })) });

  const started = Date.now();
  io.err(`make-usb: base ISO   ${base}${demo ? ' (VyOS DEMO base: not VyOS)' : ''}\n`);
  // The bar goes to stderr beside the log lines; only on a terminal, never under --json.
  const bar = stepBar({ steps: GATEWAY_STICK_STEPS, tty: io.isTTY && !values.json, write: io.err });
  const r = await makeGatewayStick({
    lab,
    secrets,
    base,
    out,
    ...(agentBundle ? { agentBundle } : {}),
    ...(agentExe ? { agentExe } : {}),
    runbook,
    pxeFiles,
    bootAssets,
    ...(str(values['collector-url']) ? { collectorUrl: str(values['collector-url'])! } : {}),
    onStep: (s) => bar.step(s),
  }).finally(() => bar.end());
  for (const w of r.warnings) io.err(`make-usb: warning: ${w}\n`);
  const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
  if (values.json) {
    const summary = { out: r.out, sha256: r.sha256, sidecar: r.sidecar, target: 'vp6630', entry: r.entryTitle, configSha256: r.configSha256, warnings: r.warnings, seconds, demoBase: demo };
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return EXIT.ok;
  }
  io.out(`wrote ${r.out} (${demo ? 'DEMO gateway stick from the VyOS DEMO base, not VyOS' : 'VyOS gateway stick'}, ${seconds.toFixed(1)} s)\n`);
  io.out(`  sha256   ${r.sha256}\n`);
  io.out(`  entry    ${r.entryTitle} (default; the ISO's own entries follow)\n`);
  io.out(`  config   sha256 ${r.configSha256}\n`);
  io.out(`  sidecar  ${r.sidecar}\n`);
  return EXIT.ok;
}
