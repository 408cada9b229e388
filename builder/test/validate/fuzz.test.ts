import { describe, expect, test } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, isMap, isSeq, isPair, isScalar, type Node as YamlNode } from 'yaml';
import { dispatch } from '../../src/cli/dispatch.js';
import { memoryIo } from '../../src/base/index.js';
import { seededRandom } from '../../../test/fixtures/rng.js';

/**
 * Feeds a few hundred randomly mutated copies of the example lab to `builder validate` and
 * checks that every run ends with exit 1 or 2 and a located message, never a stack trace.
 * The generator is seeded so a failure can be replayed.
 */

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function collections(node: unknown, out: YamlNode[] = []): YamlNode[] {
  if (isMap(node) || isSeq(node)) {
    out.push(node as YamlNode);
    for (const it of node.items) collections(isPair(it) ? it.value : it, out);
  }
  return out;
}

const JUNK_VALUES = [42, 'text', true, null, [], {}, -1, 99999, '10.10.999.1', 'zz:zz', [1, 2], { a: 1 }];

function structuralMutation(text: string, r: Rand): string | undefined {
  const doc = parseDocument(text);
  const all = collections(doc.contents);
  const target = pick(r, all);
  if (isMap(target) && target.items.length > 0) {
    const i = Math.floor(r() * target.items.length);
    const kind = pick(r, ['delete', 'swap', 'rename'] as const);
    if (kind === 'delete') target.items.splice(i, 1);
    else if (kind === 'swap') target.items[i]!.value = doc.createNode(pick(r, JUNK_VALUES));
    else {
      const key = target.items[i]!.key;
      if (isScalar(key)) key.value = `${String(key.value)}x`;
    }
  } else if (isSeq(target) && target.items.length > 0) {
    const i = Math.floor(r() * target.items.length);
    const kind = pick(r, ['delete', 'duplicate', 'swap'] as const);
    if (kind === 'delete') target.items.splice(i, 1);
    else if (kind === 'duplicate') target.items.push(doc.createNode((target.items[i] as { toJSON(): unknown }).toJSON()));
    else target.items[i] = doc.createNode(pick(r, JUNK_VALUES));
  } else return undefined;
  return doc.toString();
}

function textMutation(text: string, r: Rand): string {
  const kind = pick(r, ['truncate', 'indent', 'junk', 'binary', 'tab', 'colon'] as const);
  const lines = text.split('\n');
  const li = Math.floor(r() * lines.length);
  switch (kind) {
    case 'truncate':
      return text.slice(0, Math.floor(r() * text.length));
    case 'indent':
      lines[li] = `${' '.repeat(1 + Math.floor(r() * 3))}${lines[li]}`;
      return lines.join('\n');
    case 'junk':
      lines.splice(li, 0, pick(r, ['{{{', ']]', '- - -: :', '&a *a', '!!binary x', '"unterminated', '? complex']));
      return lines.join('\n');
    case 'binary': {
      const bytes = Buffer.from(text);
      for (let i = 0; i < 20; i++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      return bytes.toString('latin1');
    }
    case 'tab':
      lines[li] = `\t${lines[li]}`;
      return lines.join('\n');
    case 'colon':
      lines[li] = (lines[li] ?? '').replace(':', '');
      return lines.join('\n');
  }
}

describe('validate on mutated labs', () => {
  test('a few hundred mutations: each exits 1 or 2 with a located message', async () => {
    const example = await readFile('examples/genesis/lab.yaml', 'utf8');
    const dir = await mkdtemp(join(tmpdir(), 'fuzz-'));
    const r = seededRandom(20261126);
    const located = /^\S+:\d+:\d+ \S.*: .+ — .+$/m;
    let valid = 0;
    let runs = 0;
    for (let i = 0; i < 400; i++) {
      const mutated = (r() < 0.5 ? structuralMutation(example, r) : undefined) ?? textMutation(example, r);
      const file = join(dir, `lab-${i}.yaml`);
      await writeFile(file, mutated);
      const io = memoryIo(dir);
      const code = await dispatch(['validate', '--lab', file], io);
      runs++;
      expect(io.stderr, `mutation ${i} printed a stack trace`).not.toMatch(/internal error|\n\s+at /);
      if (code === 0) {
        valid++; // some mutations keep the lab valid (a renamed optional key that is then unknown is not one of them)
        continue;
      }
      expect([1, 2], `mutation ${i}: exit ${code}\n${io.stderr}`).toContain(code);
      expect(io.stderr, `mutation ${i} has no located message:\n${mutated.slice(0, 400)}`).toMatch(located);
    }
    expect(runs).toBe(400);
    // Most mutations must break the lab; if nearly all pass, the mutator is broken.
    expect(valid).toBeLessThan(runs / 4);
  });
});
