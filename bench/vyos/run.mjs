// config.boot model benchmark: parse + print + diff of the reference gateway.conf, side by side
// with a baseline that does the equivalent work on the same tree as JSON (JSON.parse +
// JSON.stringify + a structural compare). Prints per-operation times and the ratio.
//
//   node bench/vyos/run.mjs [--iterations N]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleNodeEsm } from '../../scripts/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
const N = Number(values.iterations);

const outfile = join(root, 'bench/out/vyos.mjs');
await bundleNodeEsm({ entry: join(root, 'builder/src/vyos/index.ts'), outfile: outfile, logLevel: 'error' });
const vyos = await import(outfile);

const text = readFileSync(join(root, '../shared/reference/seed-lab/gateway.conf'), 'utf8');
const tree = vyos.parseConfigBoot(text).nodes;
const json = JSON.stringify(tree);

function time(label, fn) {
  for (let i = 0; i < Math.min(200, N); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn();
  const us = ((performance.now() - t0) * 1000) / N;
  return { label, us };
}

const ours = time('config.boot parse + print + diff', () => {
  const f = vyos.parseConfigBoot(text);
  vyos.printConfigBoot(f);
  vyos.diffConfig(f.nodes, tree);
});
const base = time('JSON parse + stringify + compare (baseline)', () => {
  const t = JSON.parse(json);
  const s = JSON.stringify(t);
  if (s !== json) throw new Error('baseline mismatch');
});
console.log(`reference gateway.conf: ${text.length} bytes, ${vyos.configPaths(tree).length} config paths, ${N} iterations`);
for (const r of [ours, base]) console.log(`  ${r.label.padEnd(46)} ${r.us.toFixed(1).padStart(8)} µs/op`);
console.log(`  ratio (ours / baseline): ${(ours.us / base.us).toFixed(1)}x`);
