// The rules of the house are enforced by ESLint (eslint.config.js). Each case lints a small,
// deliberately violating file at a virtual path in the real repository, against the real config,
// and expects the named rule to fire; the matching lawful file must lint clean, so a rule that
// fires on everything fails too.
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function ruleHits(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: { rule: string; path: string; bad: string; good: string; hit: RegExp }[] = [
  {
    rule: 'nothing outside cli/ imports cli/',
    path: 'builder/src/gateway/violation.ts',
    bad: "import { usage } from '../cli/dispatch.js';\nexport const u = usage;\n",
    good: "import { UserError } from '../base/index.js';\nexport const E = UserError;\n",
    hit: /no-restricted-imports: .*nothing outside cli\/ imports cli\//,
  },
  {
    rule: 'nothing outside cli/ imports cli/ (deeper room)',
    path: 'builder/src/collector/ingest/violation.ts',
    bad: "import { EXIT } from '../../cli/exit.js';\nexport const x = EXIT;\n",
    good: "import { UserError } from '../../base/index.js';\nexport const E = UserError;\n",
    hit: /nothing outside cli\/ imports cli\//,
  },
  {
    rule: 'execa only under tools/',
    path: 'builder/src/media/violation.ts',
    bad: "import { execa } from 'execa';\nexport const run = () => execa('true');\n",
    good: "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
    hit: /no-restricted-imports: .*tools\/ folder/,
  },
  {
    rule: 'child_process only under tools/',
    path: 'iso/src/violation.ts',
    bad: "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
    good: "import { join } from 'node:path';\nexport const j = join;\n",
    hit: /tools\/ folder/,
  },
  {
    rule: 'shared imports nothing of ours (by name)',
    path: 'shared/src/lab/violation.ts',
    bad: "import { makeTalosMedia } from '@lab/iso';\nexport const m = makeTalosMedia;\n",
    good: "import { z } from 'zod';\nexport const s = z.string();\n",
    hit: /shared imports nothing of ours/,
  },
  {
    rule: 'shared imports nothing of ours (by path)',
    path: 'shared/src/lab/violation.ts',
    bad: "import { dispatch } from '../../../builder/src/cli/dispatch.js';\nexport const d = dispatch;\n",
    good: "import { labSchema } from './schema.js';\nexport const s = labSchema;\n",
    hit: /by its name/,
  },
  {
    rule: 'iso imports only shared',
    path: 'iso/src/violation.ts',
    bad: "import { renderAll } from '@lab/builder';\nexport const r = renderAll;\n",
    good: "import { labSchema } from '@lab/shared';\nexport const s = labSchema;\n",
    hit: /only @lab\/shared/,
  },
  {
    rule: 'templates import only shared',
    path: 'templates/violation.ts',
    bad: "import { cpio } from '@lab/iso';\nexport const c = cpio;\n",
    good: "import { labSchema } from '@lab/shared';\nexport const s = labSchema;\n",
    hit: /only @lab\/shared/,
  },
  {
    rule: 'process.exit only in a CLI entry',
    path: 'builder/src/collector/violation.ts',
    bad: 'export function stop(): void {\n  process.exit(3);\n}\n',
    good: 'export function stop(): void {\n  process.exitCode = 3;\n}\n',
    hit: /no-restricted-syntax: Only a CLI entry/,
  },
];

describe('the rules of the house', () => {
  for (const c of cases) {
    it(`${c.rule}: a violation fails lint, the lawful file passes`, async () => {
      const bad = await ruleHits(c.path, c.bad);
      expect(bad.some((m) => c.hit.test(m)), bad.join('\n')).toBe(true);
      expect(await ruleHits(c.path, c.good)).toEqual([]);
    });
  }

  it('the exemptions are exactly the named ones', async () => {
    // An adapter in a tools/ folder may run programs; the CLI may import its own floor; the CLI
    // entries may exit.
    expect(await ruleHits('builder/src/write/tools/violation.ts', "import { execa } from 'execa';\nexport const run = () => execa('true');\n")).toEqual([]);
    expect(await ruleHits('builder/src/cli/violation.ts', "import { EXIT } from './exit.js';\nimport { usage } from '../cli/dispatch.js';\nexport const x = [EXIT, usage];\n")).toEqual([]);
    expect(await ruleHits('builder/src/cli/main.ts', 'process.exit(0);\n')).toEqual([]);
    expect(await ruleHits('agent/src/main.ts', 'process.exit(0);\n')).toEqual([]);
    // ...but the tools/ exemption is only for programs: a tools/ adapter still may not import cli/.
    expect((await ruleHits('builder/src/write/tools/violation.ts', "import { EXIT } from '../../cli/exit.js';\nexport const x = EXIT;\n")).join('\n')).toMatch(/nothing outside cli/);
  });
});
