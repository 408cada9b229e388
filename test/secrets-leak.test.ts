import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleNodeEsm } from '../scripts/bundle.mjs';
import { execa } from 'execa';
import { COMMANDS } from '../builder/src/cli/commands.js';
import { statePaths } from '../builder/src/state/index.js';
import { loadSecrets, secretPaths, unb64, type LabSecrets } from '../builder/src/secrets/index.js';

/**
 * Runs every builder command (the COMMANDS table, so commands added later are covered too) on
 * the example lab with secrets initialised, and searches everything they print for every secret
 * value, raw and base64-encoded. Each command runs as the built CLI in its own empty network
 * namespace (`unshare -n`), so whatever it tries to reach, no packet leaves the machine.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the CLI inside the repository (git-ignored) so Node finds the external npm packages. */
function bundleCli(): Promise<string> {
  return bundleNodeEsm({ entry: join(root, 'builder/src/cli/main.ts'), outfile: join(root, 'test/fixtures/out/secrets-leak/cli.mjs'), logLevel: 'error' });
}

/** The base64 body of a PEM or OpenSSH key: joined, and each full line. */
function pemForms(pem: string): string[] {
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  return [body.join(''), ...body.filter((l) => l.length >= 32)];
}

function encodings(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  return [value, b.toString('base64'), b.toString('base64url'), b.toString('base64').replace(/=+$/, '')];
}

/** Every secret value of the lab in every form it could leak in. */
export function secretNeedles(s: LabSecrets): string[] {
  const plain = [
    s.talos.cluster.id,
    s.talos.cluster.secret,
    s.talos.secrets.bootstraptoken,
    s.talos.secrets.bootstraptoken.split('.')[1]!,
    s.talos.secrets.secretboxencryptionsecret ?? '',
    s.talos.secrets.aescbcencryptionsecret ?? '',
    s.talos.trustdinfo.token,
    s.talos.trustdinfo.token.split('.')[1]!,
    s.collectorToken,
    s.harvesterToken,
    s.login.password,
    s.login.passwordHash,
    s.login.passwordHash.split('$').at(-1)!,
  ].filter(Boolean);
  const keys = [
    s.talos.certs.etcd.key,
    s.talos.certs.k8s.key,
    s.talos.certs.k8saggregator.key,
    s.talos.certs.k8sserviceaccount.key,
    s.talos.certs.os.key,
    s.admin.talos.key,
    s.admin.kubernetes.key,
  ];
  const needles = new Set<string>();
  for (const p of plain) for (const e of encodings(p)) needles.add(e);
  for (const k of keys) {
    needles.add(k);
    for (const f of pemForms(unb64(k))) needles.add(f);
  }
  for (const f of pemForms(s.ssh.privateKey)) needles.add(f);
  return [...needles].filter((n) => n.length >= 12);
}

interface Case {
  argv: string[];
  note?: string;
}

/** Copies of the lab's state with one secret file broken so that a YAML parser would quote a secret. */
async function corruptedStates(lab: string, s: LabSecrets, dir: string): Promise<string[]> {
  const { cp } = await import('node:fs/promises');
  const source = statePaths(lab).root;
  const edits: [keyof ReturnType<typeof secretPaths>, (text: string) => string][] = [
    ['talosSecrets', (t) => t.replace(`secret: ${s.talos.cluster.secret}`, `secret: ${s.talos.cluster.secret}: x`)],
    ['gateway', (t) => t.replace(`password: ${s.login.password}`, `password: ${s.login.password}: x`)],
    ['admin', (t) => t.replace('  key: ', '\tkey: ')],
  ];
  const out: string[] = [];
  for (const [i, [file, edit]] of edits.entries()) {
    const state = join(dir, `corrupt-${i + 1}`);
    await cp(source, state, { recursive: true });
    const path = secretPaths(statePaths(lab, state))[file];
    const before = await readFile(path, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`corruption ${i + 1} did not apply`);
    await writeFile(path, after);
    out.push(state);
  }
  return out;
}

/** Fills a command's usage line: required positionals and flags get test paths; optional ones are left out. */
function casesFor(help: string, name: string, ctx: { lab: string; secretFile: string; dir: string }): Case[] {
  const usage = help.split('\n')[0]!.replace(/^Usage: builder\s+/, '').slice(name.length);
  const required = usage.replace(/\[[^\]]*\]/g, ' ').trim().split(/\s+/).filter(Boolean);
  const argv = [...name.split(' ')];
  for (const token of required) {
    if (token.startsWith('--') || /^[a-z0-9]/.test(token)) argv.push(token);
    else if (/^(FILE|ISO|IMAGE)/.test(token)) argv.push(ctx.secretFile);
    else if (/^(DEV|DEVICE)/.test(token)) argv.push(join(ctx.dir, 'no-such-device'));
    else if (/^DIR/.test(token)) argv.push(join(ctx.dir, 'out'));
  }
  if (/--lab\b/.test(help)) argv.push('--lab', ctx.lab);
  const cases: Case[] = [{ argv }];
  if (/--json\b/.test(help)) cases.push({ argv: [...argv, '--json'] });
  return cases;
}

describe('no command prints a secret', () => {
  let cli: string;
  let dir: string;
  let lab: string;
  let secrets: LabSecrets;
  let netns = true;

  beforeAll(async () => {
    cli = await bundleCli();
    dir = await mkdtemp(join(tmpdir(), 'leak-'));
    lab = join(dir, 'lab.yaml');
    await writeFile(lab, await readFile(join(root, 'examples/genesis/lab.yaml'), 'utf8'));
    // The image manifest too, so image and media commands get past reading it (downloads fail: no network).
    await writeFile(join(dir, 'images.yaml'), await readFile(join(root, 'examples/genesis/images.yaml'), 'utf8'));
    const init = await execa('node', [cli, 'secrets', 'init', '--lab', lab], { cwd: dir, reject: false });
    expect(init.exitCode, init.stderr).toBe(0);
    secrets = await loadSecrets(statePaths(lab));
    netns = (await execa('unshare', ['-n', 'true'], { reject: false })).exitCode === 0;
  }, 120_000);

  it('the needles are real: each is found in the secret files themselves', async () => {
    const files = secretPaths(statePaths(lab));
    const all = (await Promise.all(Object.values(files).map((f) => readFile(f, 'utf8')))).join('\n');
    const needles = secretNeedles(secrets);
    expect(needles.length).toBeGreaterThan(60);
    const raw = needles.filter((n) => all.includes(n));
    // Every raw value and stored base64 key is in the files (the other encodings are derived).
    for (const v of [secrets.collectorToken, secrets.login.password, secrets.talos.cluster.secret, secrets.talos.certs.os.key]) expect(raw).toContain(v);
  });

  it('runs every command in COMMANDS, --json included, errors included, and finds no secret in the output', async () => {
    if (!netns) throw new Error('unshare -n is not available: this test needs a private network namespace (run as root)');
    const ctx = { lab, secretFile: statePaths(lab).talosSecrets, dir };
    const commands = await Promise.all(COMMANDS.map((entry) => entry.load()));
    const cases: Case[] = commands.flatMap((c) => casesFor(c.help, c.name, ctx));
    // Beyond the generic calls: the paths that handle secrets most.
    const argocd = join(root, 'builder/test/render/fixtures/argocd-install.yaml');
    const cilium = join(root, 'builder/test/render/fixtures/cilium-install.yaml');
    cases.push(
      { argv: ['render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', argocd, '--cilium-manifest', cilium] },
      { argv: ['render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', argocd, '--cilium-manifest', cilium, '--check', '--json'] },
      { argv: ['render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', argocd, '--cilium-manifest', cilium, '--json'] },
      { argv: ['secrets', 'init', '--lab', lab] },
      { argv: ['import', 'talhelper', join(root, '../shared/reference/seed-lab/talconfig.yaml'), '--lab', lab] },
      { argv: ['import', 'talhelper', secretPaths(statePaths(lab)).gateway] },
      { argv: ['secrets', 'import', secretPaths(statePaths(lab)).admin, '--lab', lab, '--state', join(dir, 'other-state')] },
    );
    // Corrupted secret files: parsers quote the text around a syntax error, and these files hold
    // secrets. Each corruption is one state directory; every command that takes --state runs on each.
    for (const [i, state] of (await corruptedStates(lab, secrets, dir)).entries()) {
      for (const c of commands.filter((k) => /--state\b/.test(k.help))) {
        const [first] = casesFor(c.help, c.name, ctx);
        cases.push({ argv: [...first!.argv, '--state', state], note: `corrupted state ${i + 1}` });
      }
    }
    const covered = new Set(cases.map((c) => COMMANDS.find((k) => k.name.split(' ').every((w, i) => c.argv[i] === w))?.name));
    expect([...covered].sort()).toEqual(COMMANDS.map((c) => c.name).sort());

    const needles = secretNeedles(secrets);
    const env = { ...process.env, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1', CI: '1' };
    const results: { argv: string[]; note?: string; code: number | undefined; output: string }[] = [];
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await execa('unshare', ['-n', '--', process.execPath, cli, ...c.argv], { cwd: dir, env, reject: false, timeout: 20_000, forceKillAfterDelay: 2000, input: '' });
        results.push({ argv: c.argv, note: c.note, code: r.exitCode, output: `${r.stdout}\n${r.stderr}` });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    expect(results).toHaveLength(cases.length);
    const leaks = results.flatMap((r) => needles.filter((n) => r.output.includes(n)).map(() => `builder ${r.argv.join(' ')} (exit ${r.code}${r.note ? `, ${r.note}` : ''})`));
    expect(leaks).toEqual([]);
    // The run was real: render succeeded and wrote its files.
    const rendered = results.find((r) => r.argv.join(' ') === ['render', '--without-boot-assets', '--lab', lab, '--argocd-manifest', argocd, '--cilium-manifest', cilium].join(' '))!;
    expect(rendered.code, rendered.output).toBe(0);
    expect(rendered.output).toContain('talos/cp-1.yaml');
    // And the corrupted states were really read: render on each failed naming the broken file.
    const corrupt = results.filter((r) => r.note && r.argv[0] === 'render');
    expect(corrupt).toHaveLength(3);
    for (const r of corrupt) {
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/not valid YAML \(line \d+\)|not valid: /);
    }
  }, 600_000);
});
