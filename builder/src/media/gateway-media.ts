// media show / media verify for the gateway (vp6630) stick that make-usb builds: what it boots
// (its default GRUB entry, the lab entry, and the VyOS ISO's own after it), its config's hash,
// and the agent's configuration with its secrets redacted. config.boot and commands.sh are only
// hashed, never shown: they hold the login's password hash and the lab's keys.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { extractFromIso, grubEntries, hasLabEntry, readLiveIso, sha256File, type BootEntry, type Problem } from '@lab/iso';
import { AgentConfigSchema } from '@lab/shared';
import { AGENT_BUNDLE, AGENT_EXE, LAB_DIR, LAYER_NAME, LIVE_MODULE, onMedium } from '../gateway-stick/index.js';
import { redactValue } from './redact.js';
import { isDemoVyos } from '../demo-bases/index.js';

const lab = (p: string) => `/${LAB_DIR}/${p}`;
const CONFIG = lab('config.boot');
const COMMANDS = lab('commands.sh');
const AGENT_YAML = lab('agent.yaml');
const GRUB_CFG = '/boot/grub/grub.cfg';
const SYSLINUX_CFG = '/isolinux/live.cfg';
const MODULE = `/live/${LIVE_MODULE}.module`;
const LAYER = `/live/${LAYER_NAME}`;
const SUMS = '/sha256sum.txt';
const DISK_INFO = '/.disk/info';

/** A stick make-usb --target vp6630 wrote: /lab holds the VyOS config and the agent's. Pure. */
export function isGatewayStick(files: string[]): boolean {
  return files.includes(CONFIG) && files.includes(AGENT_YAML);
}

export interface GatewayShown {
  file: string;
  target: 'vp6630';
  kind: 'vyos-gateway-stick';
  /** The entry GRUB boots by default (the first), and every entry with its command line. */
  defaultEntry?: BootEntry;
  bootEntries: BootEntry[];
  config: { path: string; sha256: string; bytes: number };
  commands?: { path: string; sha256: string };
  agent: { executable: boolean; bundle: boolean; config: unknown; configSha256: string };
  runbook: string[];
  pxeFiles: number;
  layer: boolean;
  /** What the base ISO says it is (/.disk/info), and whether that is the demo VyOS base builder builds. */
  base: { info: string; demo: boolean };
}

interface Opened {
  files: string[];
  texts: Map<string, string>;
  work: string;
}

async function openStick(file: string): Promise<Opened> {
  const work = await mkdtemp(join(tmpdir(), 'lab-gateway-media-'));
  try {
    const iso = await readLiveIso(file, [CONFIG, COMMANDS, AGENT_YAML, GRUB_CFG, SYSLINUX_CFG, MODULE, SUMS, DISK_INFO], work);
    return { files: iso.files, texts: iso.texts, work };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

const hashOf = (s: string) => createHash('sha256').update(s).digest('hex');

function shown(file: string, o: Opened): GatewayShown {
  const entries = grubEntries(o.texts.get(GRUB_CFG) ?? '');
  const configText = o.texts.get(CONFIG) ?? '';
  const agentText = o.texts.get(AGENT_YAML) ?? '';
  let agentConfig: unknown;
  try {
    agentConfig = redactValue('', parse(agentText));
  } catch {
    agentConfig = '(agent.yaml does not parse; not shown, it may hold the collector token)';
  }
  const commands = o.texts.get(COMMANDS);
  return {
    file,
    target: 'vp6630',
    kind: 'vyos-gateway-stick',
    ...(entries[0] ? { defaultEntry: entries[0] } : {}),
    bootEntries: entries,
    config: { path: CONFIG, sha256: hashOf(configText), bytes: Buffer.byteLength(configText) },
    ...(commands !== undefined ? { commands: { path: COMMANDS, sha256: hashOf(commands) } } : {}),
    agent: { executable: o.files.includes(lab(AGENT_EXE)), bundle: o.files.includes(lab(AGENT_BUNDLE)), config: agentConfig, configSha256: hashOf(agentText) },
    runbook: o.files.filter((f) => f.startsWith(lab('runbook/'))).map((f) => f.slice(lab('runbook/').length)),
    pxeFiles: o.files.filter((f) => f.startsWith(lab('pxe/'))).length,
    layer: o.files.includes(LAYER),
    base: { info: (o.texts.get(DISK_INFO) ?? '').trim(), demo: isDemoVyos(o.texts.get(DISK_INFO)) },
  };
}

export async function showGatewayStick(file: string, files: string[]): Promise<GatewayShown | undefined> {
  if (!isGatewayStick(files)) return undefined;
  const o = await openStick(file);
  try {
    return shown(file, o);
  } finally {
    await rm(o.work, { recursive: true, force: true });
  }
}

/** The lab entry's arguments (gateway-stick/plan.ts) must be on the first entry's linux line. Pure. */
function bootProblems(o: Opened): Problem[] {
  const want = [`vyos-config=${onMedium('config.boot')}`, `module=${LIVE_MODULE}`];
  const problems: Problem[] = [];
  const grub = o.texts.get(GRUB_CFG);
  if (grub === undefined && !o.texts.has(SYSLINUX_CFG)) problems.push({ check: 'boot', message: `neither ${GRUB_CFG} nor ${SYSLINUX_CFG}: nothing boots the stick` });
  if (grub !== undefined) {
    const first = grubEntries(grub)[0];
    if (!hasLabEntry(grub) || !first || want.some((a) => !first.cmdline.split(/\s+/).includes(a))) {
      problems.push({ check: 'boot', message: `${GRUB_CFG}: the first (default) entry does not boot the lab configuration (${want.join(' ')})` });
    }
  }
  const sys = o.texts.get(SYSLINUX_CFG);
  if (sys !== undefined && want.some((a) => !sys.includes(a))) problems.push({ check: 'boot', message: `${SYSLINUX_CFG}: no entry boots the lab configuration (${want.join(' ')})` });
  return problems;
}

/** The agent's configuration must be one the agent accepts; the problem names fields, never values. */
function agentProblems(o: Opened): Problem[] {
  try {
    const checked = AgentConfigSchema.safeParse(parse(o.texts.get(AGENT_YAML) ?? ''));
    if (checked.success) return [];
    const fields = checked.error.issues.map((i) => i.path.join('.') || '(top)').join(', ');
    return [{ check: 'agent-config', message: `${AGENT_YAML} is not a configuration the agent accepts (fields: ${fields})` }];
  } catch {
    return [{ check: 'agent-config', message: `${AGENT_YAML} is not YAML` }];
  }
}

/** Every file under lab/ and live/lab/ that sha256sum.txt lists must have that sha256. */
async function checksumProblems(file: string, o: Opened): Promise<Problem[]> {
  const sums = o.texts.get(SUMS);
  if (sums === undefined) return [];
  const listed = new Map<string, string>();
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?\.?\/?(.+)$/.exec(line);
    if (m && (m[2]!.startsWith(`${LAB_DIR}/`) || m[2]!.startsWith(`live/${LIVE_MODULE}`))) listed.set(`/${m[2]!}`, m[1]!);
  }
  const problems: Problem[] = [];
  const present = [...listed.keys()].filter((p) => o.files.includes(p));
  for (const p of listed.keys()) if (!o.files.includes(p)) problems.push({ check: 'checksums', message: `${SUMS} lists ${p}, which is not on the stick` });
  const copies = present.map((p, i): [string, string] => [p, join(o.work, `sum-${i}`)]);
  if (copies.length > 0) await extractFromIso(file, copies);
  for (const [p, copy] of copies) {
    if ((await sha256File(copy)) !== listed.get(p)) problems.push({ check: 'checksums', message: `${p} differs from its sha256 in ${SUMS} (VyOS's installer checks it)` });
  }
  return problems;
}

async function sidecarProblems(file: string, o: Opened): Promise<Problem[]> {
  let doc: { output?: { sha256?: string }; inputs?: { configBoot?: { sha256?: string }; agentYaml?: { sha256?: string } } };
  try {
    doc = JSON.parse(await readFile(`${file}.json`, 'utf8')) as typeof doc;
  } catch {
    return [];
  }
  const problems: Problem[] = [];
  if (doc.output?.sha256) {
    const actual = await sha256File(file);
    if (actual !== doc.output.sha256) problems.push({ check: 'sidecar', message: `sha256 ${actual} differs from ${doc.output.sha256} recorded in ${file}.json` });
  }
  const config = hashOf(o.texts.get(CONFIG) ?? '');
  if (doc.inputs?.configBoot?.sha256 && doc.inputs.configBoot.sha256 !== config) problems.push({ check: 'sidecar', message: `${CONFIG} has sha256 ${config}, not the ${doc.inputs.configBoot.sha256} recorded in ${file}.json` });
  const agent = hashOf(o.texts.get(AGENT_YAML) ?? '');
  if (doc.inputs?.agentYaml?.sha256 && doc.inputs.agentYaml.sha256 !== agent) problems.push({ check: 'sidecar', message: `${AGENT_YAML} has sha256 ${agent}, not the ${doc.inputs.agentYaml.sha256} recorded in ${file}.json` });
  return problems;
}

export function formatGatewayShow(s: GatewayShown): string {
  const lines = [
    `file         ${s.file}`,
    `target       ${s.target}`,
    `kind         ${s.kind}${s.base.demo ? ' (DEMO: built from the VyOS DEMO base, not VyOS)' : ''}`,
    `base         ${s.base.info || '(no /.disk/info)'}`,
    `boots        ${s.defaultEntry ? `${s.defaultEntry.title}: ${s.defaultEntry.cmdline}` : '(no GRUB entry)'}`,
    `boot entries ${s.bootEntries.length === 0 ? '(none)' : ''}`,
    ...s.bootEntries.map((e, i) => `  ${i === 0 ? '*' : ' '} ${e.title}: ${e.cmdline}`),
    `config       ${s.config.path}, ${s.config.bytes} bytes, sha256 ${s.config.sha256} (not shown: it holds secrets)`,
    ...(s.commands ? [`commands     ${s.commands.path}, sha256 ${s.commands.sha256}`] : []),
    `agent        ${[s.agent.executable ? `${LAB_DIR}/${AGENT_EXE}` : '', s.agent.bundle ? `${LAB_DIR}/${AGENT_BUNDLE}` : ''].filter(Boolean).join(', ') || '(none)'}; layer ${s.layer ? LAYER : '(missing)'}`,
    `runbook      ${s.runbook.join(', ') || '(none)'}`,
    `pxe files    ${s.pxeFiles}`,
    `agent config ${AGENT_YAML}, sha256 ${s.agent.configSha256}, secrets redacted:`,
    ...stringify(s.agent.config).trimEnd().split('\n').map((l) => `  ${l}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function verifyGatewayStick(file: string): Promise<Problem[]> {
  const o = await openStick(file);
  try {
    const problems: Problem[] = [];
    for (const p of [lab('start-agent.sh'), MODULE, LAYER]) if (!o.files.includes(p)) problems.push({ check: 'files', message: `${p} is missing` });
    if (!o.files.includes(lab(AGENT_EXE)) && !o.files.includes(lab(AGENT_BUNDLE))) problems.push({ check: 'files', message: `no agent: neither ${lab(AGENT_EXE)} nor ${lab(AGENT_BUNDLE)}` });
    const module = o.texts.get(MODULE);
    if (module !== undefined && !module.split('\n').includes(LAYER_NAME)) problems.push({ check: 'files', message: `${MODULE} does not stack ${LAYER_NAME}: the agent would not start` });
    problems.push(...bootProblems(o), ...agentProblems(o), ...(await checksumProblems(file, o)), ...(await sidecarProblems(file, o)));
    return problems;
  } finally {
    await rm(o.work, { recursive: true, force: true });
  }
}
