// Every row of the command table × (--help, --json, a bad flag, a typo'd name), run in-process
// through the real dispatcher: exit codes, exactly one "builder …:" prefix per message, no text
// of node:util's parseArgs, and a JSON document on stdout whenever --json was given.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../builder/src/base/index.js';
import { COMMANDS } from '../../builder/src/cli/commands.js';
import { dispatch, VERSION } from '../../builder/src/cli/dispatch.js';
import { groups } from '../../builder/src/cli/help.js';

let dir: string;
const env = { PATH: process.env.PATH, HOME: '/nonexistent-home', XDG_CACHE_HOME: '/nonexistent-cache' };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-table-'));
});

async function run(argv: string[]) {
  const io = memoryIo(dir, env);
  const code = await dispatch(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Lines that start a message with the tool's prefix: one per error, never "builder x: x: …". */
function prefixes(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^builder[ :]/.test(l));
}

const NODE_TEXT = /Unknown option|To specify a positional|ERR_PARSE_ARGS|argument missing|does not take an argument/;

/** Arguments that make each command fail fast on missing input (no network, no devices). */
function failing(name: string, context: string): string[] {
  if (context !== 'none') return ['--lab', join('/nonexistent-dir', 'lab.yaml')];
  if (name === 'media show' || name === 'media verify' || name === 'import talhelper') return ['/nonexistent-dir/file'];
  if (name === 'write') return ['--image', '/nonexistent-dir/x.iso', '--device', '/dev/nonexistent'];
  if (name === 'images verify') return ['--cache', '/nonexistent-dir/cache'];
  return [];
}

/** A one-letter slip in a command's last word (two letters swapped). */
function typo(name: string): string[] {
  const words = name.split(' ');
  const last = words.at(-1)!;
  let i = Math.max(1, Math.floor(last.length / 2));
  while (last[i] === last[i - 1]) i++;
  words[words.length - 1] = last.slice(0, i - 1) + last[i] + last[i - 1] + last.slice(i + 1);
  return words;
}

describe('every command in the table', () => {
  for (const entry of COMMANDS) {
    const words = entry.name.split(' ');
    describe(entry.name, () => {
      it('--help prints its usage on stdout and exits 0', async () => {
        const r = await run([...words, '--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: builder ${entry.name}\\b`));
        expect(r.stderr).toBe('');
      });

      it('a bad flag exits 2 with one prefix, a hint and no node:util text; --json adds the error as JSON', async () => {
        const r = await run([...words, '--no-such-flag']);
        expect(r.code).toBe(2);
        expect(prefixes(r.stderr)).toEqual([`builder ${entry.name}: unknown flag --no-such-flag`]);
        expect(r.stderr).toContain(`how to fix: \`builder ${entry.name} --help\` lists its flags`);
        expect(r.stderr).not.toMatch(NODE_TEXT);
        expect(r.stdout).toBe('');
        const j = await run([...words, '--no-such-flag', '--json']);
        expect(j.code).toBe(2);
        expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, command: entry.name, error: { code: 'ERR_USAGE_FLAGS', message: 'unknown flag --no-such-flag' } });
      });

      it('a near miss of a flag is named', async () => {
        const r = await run([...words, '--hepl']);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('did you mean --help?');
      });

      it('--json on missing input prints one JSON document on stdout, with the error when it fails', async () => {
        const r = await run([...words, '--json', ...failing(entry.name, entry.context)]);
        let doc: { ok?: boolean; error?: { code: string; message: string } } = {};
        expect(() => (doc = JSON.parse(r.stdout))).not.toThrow();
        if (r.code !== 0) {
          expect([1, 2]).toContain(r.code);
          expect(doc.ok).toBe(false);
          expect(doc.error?.code).toMatch(/^ERR_[A-Z_]+$/);
          expect(prefixes(r.stderr)).toHaveLength(1);
          expect(prefixes(r.stderr)[0]!.startsWith(`builder ${entry.name}: ${words[0]}: `)).toBe(false);
        }
        expect(r.stderr).not.toMatch(NODE_TEXT);
      });

      it('a typo in its name exits 2 and suggests it', async () => {
        const argv = typo(entry.name);
        const r = await run([...argv, '--json']);
        expect(r.code).toBe(2);
        expect(prefixes(r.stderr)).toHaveLength(1);
        expect(r.stderr).toContain(`did you mean \`builder ${entry.name}\`?`);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_USAGE_COMMAND' } });
      });
    });
  }
});

describe('the top level', () => {
  it('bare builder prints the help and exits 0; so do --help and help', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: builder <command> [flags]');
      for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
    }
  });

  it('--version prints the package version, as JSON under --json', async () => {
    expect((await run(['--version'])).stdout).toBe(`builder ${VERSION}\n`);
    expect(JSON.parse((await run(['--version', '--json'])).stdout)).toEqual({ version: VERSION });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('every group answers --help (and bare) with its commands, exit 0', async () => {
    expect(groups()).toEqual(expect.arrayContaining(['secrets', 'images', 'media', 'apply', 'check', 'import']));
    for (const g of groups()) {
      for (const argv of [[g, '--help'], [g]]) {
        const r = await run(argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: builder ${g} <`));
        for (const c of COMMANDS.filter((x) => x.name.startsWith(`${g} `))) expect(r.stdout).toContain(c.name);
        expect(r.stderr).toBe('');
      }
    }
  });

  it('`help images sync` is `images sync --help`', async () => {
    const r = await run(['help', 'images', 'sync']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: builder images sync/);
  });

  it('an unknown group command names the group and its nearest command', async () => {
    const r = await run(['images', 'fetch']);
    expect(r.code).toBe(2);
    expect(prefixes(r.stderr)).toEqual(['builder: unknown command "images fetch"']);
    const s = await run(['images', 'snyc']);
    expect(s.stderr).toContain('did you mean `builder images sync`?');
  });

  it('a word that is nothing like a command exits 2 without a guess', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('did you mean');
    expect(r.stderr).toContain('`builder --help` lists the commands');
  });

  it('hints repeat the --lab and --state the operator gave', async () => {
    const r = await run(['render', '--lab', '/nonexistent-dir/my lab.yaml', '--state', 'st']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("lab: /nonexistent-dir/my lab.yaml (--lab), state: st");
    const j = await run(['status', '--lab', 'nope/lab.yaml', '--json']);
    expect(JSON.parse(j.stdout).error.message).toContain('nope/lab.yaml');
  });
});
