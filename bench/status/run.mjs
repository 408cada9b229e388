// Status derivation benchmark: a whole Genesis trace (every host from power-on to healthy, in the
// order its senders emit) for 100 and 1,000 hosts, folded into the phase model, then the
// /v1/status document computed and serialised. Prints the cost per event (target: constant in
// the number of hosts, under 1 ms), the status latency, and each as a ratio against a baseline
// run side by side (a bare Map write per event; re-serialising a document of the same size).
//
//   node bench/status/run.mjs [--hosts N] [--rounds N]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleNodeEsm, repoRoot as root } from '../../scripts/bundle.mjs';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } } });
const out = await bundleNodeEsm({ entry: join(root, 'bench/status/bench-main.ts'), outfile: join(root, 'bench/out/status.mjs') });
const r = spawnSync(process.execPath, [out], { env: { ...process.env, HOSTS: values.hosts, ROUNDS: values.rounds }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (r.status !== 0) process.exit(r.status ?? 1);
const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
console.log('hosts  events   fold ms  ns/event  (baseline ns/event, ratio)   /v1/status ms  (baseline ms, ratio)  status KB');
for (const x of rows) {
  console.log(`${String(x.hosts).padStart(5)}  ${String(x.events).padStart(6)}  ${String(x.foldMs).padStart(8)}  ${String(x.nsPerEvent).padStart(8)}  (${x.baselineNsPerEvent}, ${x.foldRatio}x)${' '.repeat(12)}${String(x.statusMs).padStart(8)}  (${x.statusBaselineMs}, ${x.statusRatio}x)  ${Math.round(x.statusBytes / 1024)}`);
}
const [small, big] = rows;
console.log(`cost per event at ${big.hosts} hosts vs ${small.hosts}: ${(big.nsPerEvent / small.nsPerEvent).toFixed(2)}x (1.00 = constant per event); ${(big.nsPerEvent / 1e6).toFixed(4)} ms/event (target < 1 ms)`);
