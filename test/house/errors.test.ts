// The error catalogue (docs/errors.md) against the source: every code thrown is documented, every
// documented code is thrown somewhere, and every operator error is built with a literal code (so
// this scan sees it) or passes one through from a typed error.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../builder/src/base/index.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';

const root = resolve(import.meta.dirname, '../..');
const SOURCES = ['builder/src', 'iso/src', 'shared/src', 'agent/src'];
const CODE = /'(ERR_[A-Z0-9_]+)'/g;
/** Constructions whose first argument is not a literal: each passes on a code another typed error carries. */
const PASSTHROUGH = new Set(['err.code', 'MEDIA_CODES[err.code]']);

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tsFiles(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

async function scan(): Promise<{ thrown: Map<string, string[]>; dynamic: string[] }> {
  const thrown = new Map<string, string[]>();
  const dynamic: string[] = [];
  for (const dir of SOURCES) {
    for (const file of await tsFiles(resolve(root, dir))) {
      const text = await readFile(file, 'utf8');
      const at = relative(root, file);
      for (const m of text.matchAll(CODE)) thrown.set(m[1]!, [...(thrown.get(m[1]!) ?? []), at]);
      for (const m of text.matchAll(/new (?:UserError|UsageError|RenderError)\(\s*([^,]+),/g)) {
        const first = m[1]!.trim();
        if (!/^'ERR_[A-Z0-9_]+'$/.test(first) && !PASSTHROUGH.has(first)) dynamic.push(`${at}: ${m[0]}`);
      }
    }
  }
  return { thrown, dynamic };
}

async function documented(): Promise<string[]> {
  const text = await readFile(resolve(root, 'docs/errors.md'), 'utf8');
  return [...text.matchAll(/^### (ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]!);
}

describe('the error catalogue', () => {
  it('every code thrown in the source has a section in docs/errors.md', async () => {
    const { thrown } = await scan();
    const docs = new Set(await documented());
    const undocumented = [...thrown].filter(([code]) => !docs.has(code)).map(([code, at]) => `${code} (${at.join(', ')})`);
    expect(thrown.size).toBeGreaterThan(40);
    expect(undocumented).toEqual([]);
  });

  it('every code in docs/errors.md is thrown somewhere, and listed once', async () => {
    const { thrown } = await scan();
    const docs = await documented();
    expect(docs.filter((c) => !thrown.has(c))).toEqual([]);
    expect(docs.filter((c, i) => docs.indexOf(c) !== i)).toEqual([]);
  });

  it('every operator error is built with a literal code or passes a typed one on', async () => {
    expect((await scan()).dynamic).toEqual([]);
  });

  it('the CLI prints the code with the message and the fix, and maps the kind to the exit code', async () => {
    const io = memoryIo('/nonexistent-dir-for-the-test');
    const code = await dispatch(['validate', '--lab', 'missing.yaml'], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/cannot read .*missing\.yaml/);
    expect(io.stderr).toContain('error code: ERR_INPUT_UNREADABLE (docs/errors.md)');
    const failed = new UserError('ERR_LAB_INVALID', 'x');
    expect(failed.kind).toBe('failed');
  });
});
