import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256File } from '@lab/iso';
import { UsageError, UserError, type Io } from '../base/index.js';
import { parseFlags } from './args.js';
import { EXIT } from './exit.js';
import { requireLab } from '../lab/index.js';
import { loadSecrets } from '../secrets/index.js';
import { resolveImage } from '../images/index.js';
import { DEFAULT_LAB_FILE, statePaths } from '../state/index.js';
import { buildRunbook, renderHtml, renderMarkdown } from '../runbook/index.js';
import { makeGatewayStick } from '../gateway-stick/index.js';
import type { RunbookFile } from '../gateway-stick/plan.js';
import { GATEWAY_STICK_HELP } from './make-usb-targets.js';
import { labCommands } from './hints.js';
import { requireFreshRender } from '../media/fresh-render.js';

/** The repository file `rel` (agent/dist/…), looked up from this module and from cwd. */
function findRepoFile(rel: string, cwd: string): string | undefined {
  const starts = [dirname(fileURLToPath(import.meta.url)), cwd];
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < 6; i++) {
      const p = join(dir, rel);
      if (existsSync(p)) return p;
      dir = dirname(dir);
    }
  }
  return undefined;
}

async function filesUnder(dir: string, prefix = ''): Promise<{ path: string; src: string }[]> {
  const out: { path: string; src: string }[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)));
    else if (e.isFile()) out.push({ path: rel, src: join(dir, e.name) });
  }
  return out;
}

/** What the PXE service serves over HTTP from the render output (builder/src/render/pxe-urls.ts):
 * ipxe/, harvester/, talos/. Not the admin client configs. Secret files (0600) stay 0600. */
const SERVED = ['ipxe', 'harvester', 'talos'];

async function pxeTree(root: string | undefined, rendered: string): Promise<{ path: string; src: string; mode: number }[]> {
  const withMode = (f: { path: string; src: string }) => ({ ...f, mode: (statSync(f.src).mode & 0o077) === 0 ? 0o600 : 0o644 });
  if (root !== undefined) {
    if (!existsSync(root)) throw new UsageError('ERR_INPUT_UNREADABLE', `--pxe-root ${root}: no such directory`, 'render the PXE tree first, or leave --pxe-root out');
    return (await filesUnder(root)).map(withMode);
  }
  const out: { path: string; src: string; mode: number }[] = [];
  for (const sub of SERVED) if (existsSync(join(rendered, sub))) out.push(...(await filesUnder(join(rendered, sub), sub)).map(withMode));
  return out;
}

function existingFile(path: string, flag: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError('ERR_INPUT_UNREADABLE', `${flag} ${path}: no such file`, `check the path given to ${flag}`);
  return path;
}

export async function runGatewayStick(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('make-usb', argv, {
    target: { type: 'string' },
    lab: { type: 'string' },
    state: { type: 'string' },
    base: { type: 'string' },
    'base-sha256': { type: 'string' },
    cache: { type: 'string' },
    out: { type: 'string' },
    agent: { type: 'string' },
    'agent-exe': { type: 'string' },
    runbook: { type: 'string' },
    'pxe-root': { type: 'string' },
    'collector-url': { type: 'string' },
    'without-argocd': { type: 'boolean' },
    'argocd-manifest': { type: 'string' },
  });
  if (values.help) {
    io.out(`${GATEWAY_STICK_HELP}\n`);
    return EXIT.ok;
  }
  const labArg = values.lab ?? DEFAULT_LAB_FILE;
  const { lab } = await requireLab(labArg, io.cwd);
  const labFile = resolve(io.cwd, labArg);
  if (!lab.gateway) throw new UserError('ERR_LAB_NO_GATEWAY', 'the lab has no gateway section, so there is nothing to put on the gateway stick', 'add gateway: to the lab file');
  const paths = statePaths(labFile, values.state ? resolve(io.cwd, values.state) : undefined);
  const secrets = await loadSecrets(paths);

  let base: string;
  if (values.base) {
    base = existingFile(resolve(io.cwd, values.base), '--base');
    if (values['base-sha256']) {
      const got = await sha256File(base);
      if (got !== values['base-sha256'].toLowerCase()) {
        throw new UserError('ERR_IMAGE_CHECKSUM_MISMATCH', `--base ${base} has sha256 ${got}, not ${values['base-sha256']}`, 'use the VyOS ISO the manifest pins, or fix --base-sha256');
      }
    }
  } else {
    base = (await resolveImage('vyos', { lab: labFile, ...(values.cache ? { cache: values.cache } : {}), cwd: io.cwd, env: io.env })).path;
  }
  const out = values.out ? resolve(io.cwd, values.out) : join(paths.media, `${lab.gateway.host}-vp6630.iso`);

  const agentBundle = values.agent ? existingFile(resolve(io.cwd, values.agent), '--agent') : findRepoFile('agent/dist/agent.cjs', io.cwd);
  const agentExe = values['agent-exe'] ? existingFile(resolve(io.cwd, values['agent-exe']), '--agent-exe') : findRepoFile('agent/dist/lab-agent', io.cwd);
  let runbook: RunbookFile[];
  if (values.runbook) {
    const dir = resolve(io.cwd, values.runbook);
    if (!existsSync(dir)) throw new UsageError('ERR_INPUT_UNREADABLE', `--runbook ${dir}: no such directory`, 'render the runbook first, or leave --runbook out');
    runbook = (await filesUnder(dir)).filter((f) => !f.path.includes('/') && /\.(html|md)$/.test(f.path)).map((f) => ({ name: f.path, src: f.src }));
  } else {
    // The offline runbook of this lab, rendered now, so the stick never carries a stale one.
    // Absolute paths and commands that name the lab: the stick's copy is read far from this directory.
    const book = buildRunbook(lab, { labArg: resolve(io.cwd, labArg), stateDir: paths.root, commands: labCommands(values, io.cwd) });
    runbook = [
      { name: 'runbook.html', content: renderHtml(book) },
      { name: 'runbook.md', content: renderMarkdown(book) },
    ];
  }
  if (lab.pxe?.host === lab.gateway.host && !values['pxe-root']) {
    // The PXE service serves these files from the stick: they must be what renders now.
    await requireFreshRender({
      lab,
      secrets,
      rendered: paths.rendered,
      argocd: { labFile, cache: values.cache, manifest: values['argocd-manifest'], withoutArgocd: values['without-argocd'] === true, cwd: io.cwd, env: io.env },
      select: (p) => SERVED.includes(p.split('/')[0]!),
    });
  }
  const pxeFiles = lab.pxe?.host === lab.gateway.host ? await pxeTree(values['pxe-root'] ? resolve(io.cwd, values['pxe-root']) : undefined, paths.rendered) : [];

  const started = Date.now();
  io.err(`make-usb: base ISO   ${base}\n`);
  const r = await makeGatewayStick({
    lab,
    secrets,
    base,
    out,
    ...(agentBundle ? { agentBundle } : {}),
    ...(agentExe ? { agentExe } : {}),
    runbook,
    pxeFiles,
    ...(values['collector-url'] ? { collectorUrl: values['collector-url'] } : {}),
  });
  for (const w of r.warnings) io.err(`make-usb: warning: ${w}\n`);
  io.out(`wrote ${r.out} (VyOS gateway stick, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  io.out(`  sha256   ${r.sha256}\n`);
  io.out(`  entry    ${r.entryTitle} (default; the ISO's own entries follow)\n`);
  io.out(`  config   sha256 ${r.configSha256}\n`);
  io.out(`  sidecar  ${r.sidecar}\n`);
  return EXIT.ok;
}
