// `media show` and `media verify` on the gateway (vp6630) stick: make-usb builds it from the VyOS
// stand-in ISO (test/fixtures/vyos-standin, which says what it does not model) with the example
// lab, its secrets and a small served PXE tree; no boot here (test/gateway-stick/stick.test.ts
// boots one). Not modelled: the agent itself (a placeholder bundle: show and verify only check
// that the stick carries one).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { renderGateway } from '../../builder/src/vyos/gateway/index.js';
import { loadSecrets, type LabSecrets } from '../../builder/src/secrets/index.js';
import { statePaths } from '../../builder/src/state/index.js';
import { parseLab, type Lab } from '@lab/shared';
import { buildVyosStandinIso } from '../fixtures/vyos-standin/vyos-standin.js';
import { EXAMPLE_LAB, freshSecrets } from './fixture.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

let dir: string;
let stick: string;
let lab: Lab;
let secrets: LabSecrets;
let made: { code: number; stdout: string; stderr: string };

async function builder(...argv: string[]) {
  const io = memoryIo(dir);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Every secret value of the lab (strings of 8 characters or more, and each PEM body line). */
function secretStrings(s: LabSecrets): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.length >= 8) out.push(v);
      for (const line of v.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) out.push(line);
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(s);
  return out;
}

beforeAll(async () => {
  const base = await buildVyosStandinIso();
  const fresh = await freshSecrets();
  dir = fresh.paths.root.replace(/\/state$/, '');
  const labFile = join(dir, 'lab.yaml');
  await writeFile(labFile, await readFile(EXAMPLE_LAB, 'utf8'));
  const parsed = parseLab(await readFile(labFile, 'utf8'), labFile);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  lab = parsed.lab;
  secrets = await loadSecrets(statePaths(labFile));
  const pxe = join(dir, 'pxe-root');
  await mkdir(join(pxe, 'ipxe'), { recursive: true });
  await writeFile(join(pxe, 'ipxe/boot.ipxe'), '#!ipxe\necho lab\n');
  // The loaders the gateway's DHCP answer names: make-usb refuses a tree without them (placeholders
  // here; no images.yaml sits beside this lab, so no pin to check them against).
  await writeFile(join(pxe, 'ipxe.efi'), 'placeholder UEFI loader\n');
  await writeFile(join(pxe, 'undionly.kpxe'), 'placeholder BIOS loader\n');
  const agent = join(dir, 'agent.cjs');
  await writeFile(agent, '// a placeholder agent bundle\n');
  stick = join(dir, 'gateway-vp6630.iso');
  const r = await builder('make-usb', '--target', 'vp6630', '--lab', labFile, '--base', base, '--agent', agent, '--pxe-root', pxe, '--out', stick, '--json');
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(0);
  made = r;
}, 600_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('make-usb --target vp6630 --json', () => {
  it('prints one JSON document of what was written, no bar (not a terminal), no secret', async () => {
    const j = JSON.parse(made.stdout);
    expect(j).toMatchObject({ out: stick, sidecar: `${stick}.json`, target: 'vp6630', configSha256: sha256(renderGateway(lab, secrets).configBoot) });
    expect(j.sha256).toBe(JSON.parse(await readFile(`${stick}.json`, 'utf8')).output.sha256);
    expect(j.entry).toMatch(/^Lab genesis: VyOS 2025\.11/);
    expect(Array.isArray(j.warnings)).toBe(true);
    expect(made.stderr).not.toContain('\r');
    expect(made.stderr).not.toContain('\u001b');
    for (const s of secretStrings(secrets)) expect(made.stdout + made.stderr).not.toContain(s);
  });
});

describe('media show on the gateway stick', () => {
  it('says what it boots, the config hash, and the agent config with every secret redacted', async () => {
    const r = await builder('media', 'show', stick, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown).toMatchObject({ target: 'vp6630', kind: 'vyos-gateway-stick', layer: true, pxeFiles: 3, runbook: ['runbook.html', 'runbook.md'] });
    expect(shown.defaultEntry.title).toMatch(/^Lab genesis: VyOS 2025\.11/);
    expect(shown.defaultEntry.cmdline).toContain('vyos-config=/usr/lib/live/mount/medium/lab/config.boot');
    expect(shown.defaultEntry.cmdline).toContain('module=lab');
    expect(shown.bootEntries.length).toBeGreaterThan(1); // the VyOS ISO's own entries follow
    expect(shown.config.sha256).toBe(sha256(renderGateway(lab, secrets).configBoot));
    expect(shown.agent.bundle).toBe(true);
    expect(typeof shown.agent.executable).toBe('boolean'); // agent/dist/lab-agent when it was built
    expect(shown.agent.config.collector.token).toBe('[redacted]');
    expect(shown.agent.config.host.name).toBe('gateway');
    expect(shown.agent.config.pxe.root).toBe('/usr/lib/live/mount/medium/lab/pxe');
    const text = await builder('media', 'show', stick);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('kind         vyos-gateway-stick');
    expect(text.stdout).toContain(`sha256 ${shown.config.sha256} (not shown: it holds secrets)`);
    expect(text.stdout).toContain('token: "[redacted]"');
    for (const s of secretStrings(secrets)) {
      expect(r.stdout).not.toContain(s);
      expect(text.stdout).not.toContain(s);
    }
  }, 60_000);
});

describe('media verify on the gateway stick', () => {
  it('passes the stick make-usb wrote', async () => {
    const v = await builder('media', 'verify', stick);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  }, 60_000);

  it('names a stick whose agent.yaml was changed after make-usb (checksums, sidecar, schema), without printing its values', async () => {
    const bad = join(dir, 'tampered.iso');
    const agentYaml = join(dir, 'agent-tampered.yaml');
    await writeFile(agentYaml, `collector:\n  url: not-a-url\n  token: ${secrets.collectorToken}\nhost: {}\n`);
    // Same boot setup, one file swapped (xorriso replays the VyOS ISO's El Torito and MBR).
    await execa('xorriso', ['-indev', stick, '-outdev', bad, '-map', agentYaml, '/lab/agent.yaml', '-boot_image', 'any', 'replay']);
    await writeFile(`${bad}.json`, await readFile(`${stick}.json`));
    const v = await builder('media', 'verify', bad, '--json');
    expect(v.code).toBe(1);
    const checks = (JSON.parse(v.stdout).problems as { check: string; message: string }[]).map((p) => `${p.check}: ${p.message}`);
    expect(checks).toContainEqual(expect.stringMatching(/^agent-config: \/lab\/agent.yaml is not a configuration the agent accepts \(fields: .*collector\.url/));
    expect(checks).toContainEqual('checksums: /lab/agent.yaml differs from its sha256 in /sha256sum.txt (VyOS\'s installer checks it)');
    expect(checks).toContainEqual(expect.stringMatching(/^sidecar: \/lab\/agent.yaml has sha256 \w+, not the \w+ recorded in/));
    expect(checks).toContainEqual(expect.stringMatching(/^sidecar: sha256 \w+ differs from/));
    for (const s of secretStrings(secrets)) expect(v.stdout).not.toContain(s);
  }, 60_000);
});
