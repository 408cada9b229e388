// The manifest flags render and make-usb share (cli/manifest-flags.ts): a manifest file and the
// flag that leaves that manifest out exclude each other, for every command that takes them. The
// refusal is a usage error (exit 2) naming both flags and its code, before anything is built or
// written.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../builder/src/base/index.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';

const root = resolve(import.meta.dirname, '../..');
const LAB = join(root, 'examples/genesis/lab.yaml');
const env = { PATH: process.env.PATH, HOME: '/nonexistent-home' };
let state: string;

async function run(argv: string[]) {
  const io = memoryIo(root, env);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'manifest-flags-'));
  // render reads the lab's secrets before it looks at the manifest flags.
  expect((await run(['secrets', 'init', '--lab', LAB, '--state', state])).code).toBe(0);
});

const PAIRS = [
  { flags: ['--without-cni', '--cilium-manifest', 'cilium.yaml'], message: '--without-cni and --cilium-manifest exclude each other' },
  { flags: ['--without-argocd', '--argocd-manifest', 'install.yaml'], message: '--without-argocd and --argocd-manifest exclude each other' },
];
const COMMANDS = [['make-usb', '--target', 'um760'], ['make-usb', '--target', 'vp6630'], ['render']];

describe('the manifest flags', () => {
  for (const command of COMMANDS) {
    for (const pair of PAIRS) {
      it(`${command.join(' ')} refuses ${pair.flags[0]} with ${pair.flags[1]}: exit 2, ERR_USAGE_FLAG_CONFLICT, nothing written`, async () => {
        const out = await mkdtemp(join(tmpdir(), 'manifest-flags-out-'));
        const target = command[0] === 'render' ? ['--out', out] : ['--out', join(out, 'stick.iso')];
        const r = await run([...command, '--lab', LAB, '--state', state, ...target, ...pair.flags]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(pair.message);
        expect(r.stderr).toContain('pass one of them');
        expect(r.stderr).toContain('ERR_USAGE_FLAG_CONFLICT');
        expect(r.stdout).toBe('');
        expect(await readdir(out)).toEqual([]);
      });
    }
  }
});
