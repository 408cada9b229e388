// What the tool writes or prints for a person names paths that work from anywhere: the runbook
// (files and the gateway stick's copy use the same builder) and `next` carry no `../` path, and
// every `builder …` command they or an error's hint name carries the --lab (and --state) given.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../builder/src/base/index.js';
import { COMMANDS } from '../../builder/src/cli/commands.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';

const root = resolve(import.meta.dirname, '../..');
let top: string;
let cwd: string;
let labAbs: string;
const env = { PATH: process.env.PATH, HOME: '/nonexistent-home' };

beforeAll(async () => {
  top = await mkdtemp(join(tmpdir(), 'lab-paths-'));
  await mkdir(join(top, 'site'), { recursive: true });
  await mkdir(join(top, 'work', 'deep'), { recursive: true });
  for (const f of ['lab.yaml', 'images.yaml']) await copyFile(join(root, 'examples/genesis', f), join(top, 'site', f));
  labAbs = join(top, 'site', 'lab.yaml');
  // The operator stands somewhere else and names the lab relatively, with ../ in it.
  cwd = join(top, 'work', 'deep');
});

async function run(argv: string[]) {
  const io = memoryIo(cwd, env);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const DOTDOT = /(^|[\s`'"(=:])\.\.\//m;
const LAB_COMMANDS = COMMANDS.filter((c) => c.context !== 'none').map((c) => c.name);
const STATE_COMMANDS = COMMANDS.filter((c) => c.context === 'lab+state').map((c) => c.name);

/** Every `builder <command> …` invocation in a text, up to the end of the line or the backquote. */
function invocations(text: string): { name: string; args: string }[] {
  const out: { name: string; args: string }[] = [];
  for (const m of text.matchAll(/\bbuilder ([a-z][a-z-]*(?: [a-z][a-z-]*)?)([^`\n<]*)/g)) {
    const words = m[1]!.split(' ');
    const name = [...LAB_COMMANDS].sort((a, b) => b.length - a.length).find((n) => n.split(' ').every((w, i) => words[i] === w));
    if (name) out.push({ name, args: `${m[1]}${m[2]}` });
  }
  return out;
}

describe('runbook and next name the lab from anywhere', () => {
  it('runbook.md and runbook.html have no ../ path, and every builder command carries --lab and --state', async () => {
    const state = join(top, 'elsewhere-state');
    const r = await run(['runbook', '--lab', '../../site/lab.yaml', '--state', '../../elsewhere-state', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { files } = JSON.parse(r.stdout) as { files: { markdown: string; html: string } };
    expect(files.markdown).toBe(join(state, 'runbook', 'runbook.md'));
    for (const file of [files.markdown, files.html]) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toMatch(DOTDOT);
      const found = invocations(file.endsWith('.html') ? text.replace(/<[^>]+>/g, '') : text);
      expect(found.length).toBeGreaterThan(15);
      for (const inv of found) {
        expect(inv.args, `${file}: builder ${inv.args}`).toContain(`--lab ${labAbs}`);
        if (STATE_COMMANDS.includes(inv.name)) expect(inv.args, `${file}: builder ${inv.args}`).toContain(`--state ${state}`);
      }
      // The talosconfig and kubeconfig the runbook names are where render writes them, absolutely.
      expect(text).toContain(`${state}/rendered/talosconfig`);
      expect(text).not.toMatch(/state\/kubeconfig/);
    }
  });

  it('without --state, runbook commands name the lab only and paths are absolute', async () => {
    const r = await run(['runbook', '--lab', '../../site/lab.yaml', '--out', 'rb']);
    expect(r.code, r.stderr).toBe(0);
    const md = await readFile(join(cwd, 'rb', 'runbook.md'), 'utf8');
    expect(md).not.toMatch(DOTDOT);
    expect(md).toContain(`${join(top, 'site', 'state')}/rendered/talosconfig`);
    for (const inv of invocations(md)) {
      expect(inv.args).toContain(`--lab ${labAbs}`);
      expect(inv.args).not.toContain('--state');
    }
  });

  it('next, with no collector, prints no ../ path and its commands carry the lab', async () => {
    // Port 9 (discard) on loopback: nothing listens, so `next` sees no collector.
    const r = await run(['next', '--lab', '../../site/lab.yaml', '--collector', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(DOTDOT);
    const found = invocations(r.stdout);
    expect(found.map((f) => f.name)).toEqual(expect.arrayContaining(['collect', 'next']));
    for (const inv of found) expect(inv.args).toContain(`--lab ${labAbs}`);
    // Runbook sections by the file's absolute path, not a bare runbook.html relative to nothing.
    expect(r.stdout).toContain(`${join(top, 'site', 'state', 'runbook', 'runbook.html')}#preflight`);
    expect(r.stdout).not.toMatch(/(^|\s)runbook\.html#/m);
  });
});

describe('hints carry the flags given', () => {
  it('an error’s hint repeats --lab and --state as typed', async () => {
    const r = await run(['render', '--lab', '../../site/lab.yaml', '--state', 'fresh-state']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lab: ../../site/lab.yaml (--lab), state: fresh-state');
    const init = /`builder secrets init [^`]*`/.exec(r.stderr)?.[0] ?? '';
    expect(init).toContain('--lab ../../site/lab.yaml');
    expect(init).toMatch(/--state \S*fresh-state/);
    const j = await run(['render', '--lab', '../../site/lab.yaml', '--state', 'fresh-state', '--json']);
    const hint: string = JSON.parse(j.stdout).error.hint;
    for (const inv of hint.match(/`builder [^`]*`/g) ?? []) {
      expect(inv).toContain('--lab ../../site/lab.yaml');
      expect(inv).toMatch(/--state \S*fresh-state/);
    }
  });

  it('the lab comes from ./lab.yaml, then $BUILDER_LAB, then the example, and the command says which', async () => {
    const here = await run(['validate']);
    expect(here.stderr).toMatch(/^lab: \/.*examples\/genesis\/lab\.yaml \(the example lab/);
    const io = memoryIo(cwd, { ...env, BUILDER_LAB: '../../site/lab.yaml' });
    expect(await dispatch(['validate'], io)).toBe(0);
    expectLabLine(io.stderr, 'lab: ../../site/lab.yaml ($BUILDER_LAB)', '../../site/lab.yaml');
    expect(io.stdout).toBe('../../site/lab.yaml: valid — 7 networks, 7 hosts\n');
    const inSite = memoryIo(join(top, 'site'), { ...env, BUILDER_LAB: '/nonexistent' });
    expect(await dispatch(['validate'], inSite)).toBe(0);
    expectLabLine(inSite.stderr, 'lab: lab.yaml (./lab.yaml in this directory)', 'lab.yaml');
  });
});

/**
 * The example lab's MS-02s install by kernel name, so validate also warns (WARN_INSTALL_DEVICE_NAME):
 * the first line says where the lab came from, and only located warnings for that file follow.
 */
function expectLabLine(stderr: string, labLine: string, file: string): void {
  const [first, ...rest] = stderr.trimEnd().split('\n');
  expect(first).toBe(labLine);
  for (const line of rest) {
    expect(line.startsWith(`${file}:`)).toBe(true);
    expect(line).toMatch(/^\S+:\d+:\d+ warning: .* \[WARN_[A-Z_]+\]$/);
  }
}

describe('hints that point the right way', () => {
  it('render without Argo CD’s manifest offers --without-argocd and images sync argocd-install', async () => {
    const io = memoryIo(cwd, { ...env, XDG_CACHE_HOME: join(top, 'empty-cache') });
    expect(await dispatch(['secrets', 'init', '--lab', '../../site/lab.yaml'], io)).toBe(0);
    const r = memoryIo(cwd, { ...env, XDG_CACHE_HOME: join(top, 'empty-cache') });
    expect(await dispatch(['render', '--lab', '../../site/lab.yaml', '--json'], r)).not.toBe(0);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('ERR_ARGOCD_MANIFEST_MISSING');
    expect(err.hint).toContain('`builder images sync argocd-install --lab ../../site/lab.yaml`');
    expect(err.hint).toContain('`builder render --without-argocd --lab ../../site/lab.yaml`');
  });

  it('images sync that gets no byte (offline) suggests images import for that image', async () => {
    // The manifest's Argo CD URL on a loopback port nothing listens on: the transfer fails at byte 0.
    const text = (await readFile(join(root, 'examples/genesis/images.yaml'), 'utf8')).replace('https://raw.githubusercontent.com/argoproj/argo-cd/v3.0.12/manifests/install.yaml', 'http://127.0.0.1:9/install.yaml');
    const manifest = join(top, 'offline-images.yaml');
    await writeFile(manifest, text);
    const io = memoryIo(cwd, { ...env, XDG_CACHE_HOME: join(top, 'offline-cache') });
    const code = await dispatch(['images', 'sync', 'argocd-install', '--manifest', manifest, '--retries', '0', '--json'], io);
    expect(code).toBe(1);
    const doc = JSON.parse(io.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.images[0].error.hint).toContain('`builder images import FILE --name argocd-install`');
    expect(io.stderr).not.toContain('resumes from byte 0');
  });

  it('write without --device names the media make-usb writes (cp-1-um760.iso), never ../', async () => {
    const io = memoryIo(join(top, 'site'), env);
    await mkdir(join(top, 'site', 'state', 'media'), { recursive: true });
    await writeFile(join(top, 'site', 'state', 'media', 'cp-1-um760.iso'), '');
    expect(await dispatch(['write', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout).error.hint).toContain('`builder write --image state/media/cp-1-um760.iso --device /dev/sdX`');
    const elsewhere = memoryIo(cwd, { ...env, BUILDER_LAB: labAbs });
    expect(await dispatch(['write'], elsewhere)).toBe(2);
    expect(elsewhere.stderr).toContain(`--image ${join(top, 'site', 'state', 'media', 'cp-1-um760.iso')}`);
    expect(elsewhere.stderr).not.toMatch(DOTDOT);
  });
});
