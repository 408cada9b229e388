// Agent footprint benchmark: bundle and single-executable size, idle RSS after start (host role
// and status endpoint), and time from process start to the first event acknowledged by a
// collector on 127.0.0.1. Baseline, side by side: a bare node process that does the same work by
// hand (one fetch POST of one event, then idles with an HTTP server open).
// Targets from the issue: bundle ≤ 2 MB, idle RSS ≤ 60 MB, first acknowledged event < 500 ms.
//
//   node bench/agent/run.mjs [--rounds N]
// Needs `npm run build` first (agent/dist/agent.cjs; agent/dist/lab-agent when built).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const bundle = join(root, 'agent/dist/agent.cjs');
const exe = join(root, 'agent/dist/lab-agent');
if (!existsSync(bundle)) {
  console.error('bench/agent: agent/dist/agent.cjs is missing; run npm run build first');
  process.exit(2);
}
const TOKEN = 'bench-token-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'bench-agent-'));

// The collector side: answers every batch 200 and notes when the first one was answered.
let firstAck = null;
const collector = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"stored":1}', () => {
      if (firstAck === null) firstAck = performance.now();
    });
  });
});
await new Promise((r) => collector.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${collector.address().port}`;

const BASELINE = `
const http = require('node:http');
fetch('${url}/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ${TOKEN}' },
  body: JSON.stringify({ events: [{ id: 'b-1', host: 'bench', source: 'agent', kind: 'boot', time: new Date().toISOString(), attrs: {} }] }) })
  .then((r) => r.text()).then(() => http.createServer(() => {}).listen(0, '127.0.0.1'));`;

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function once(cmd, args) {
  firstAck = null;
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  while (firstAck === null) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited: ${err}`);
    if (performance.now() - t0 > 10_000) throw new Error(`${cmd}: no event in 10 s: ${err}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ackMs = firstAck - t0;
  await new Promise((r) => setTimeout(r, 2000)); // idle
  const rss = rssKb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { ackMs, rssMb: rss / 1024 };
}

function agentArgs(i) {
  const dir = join(work, `run${i}`);
  const config = join(work, `agent${i}.yaml`);
  writeFileSync(config, `collector: { url: "${url}", token: "${TOKEN}" }\nhost: { name: bench }\nroles: [host]\nspool: { dir: ${dir} }\nstatus: { host: 127.0.0.1, port: 0 }\n`, { mode: 0o600 });
  return ['--config', config];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const subjects = [
  { name: 'agent (node + bundle)', run: (i) => once(process.execPath, [bundle, ...agentArgs(i)]) },
  ...(existsSync(exe) ? [{ name: 'agent (single executable)', run: (i) => once(exe, agentArgs(100 + i)) }] : []),
  { name: 'baseline (bare node, one fetch)', run: () => once(process.execPath, ['-e', BASELINE]) },
];
try {
  const kb = (f) => (statSync(f).size / 1024).toFixed(0);
  console.log(`bench/agent: bundle agent/dist/agent.cjs ${kb(bundle)} KiB (${(statSync(bundle).size / (1 << 20)).toFixed(2)} MiB; target ≤ 2 MiB)`);
  if (existsSync(exe)) console.log(`bench/agent: single executable agent/dist/lab-agent ${(statSync(exe).size / (1 << 20)).toFixed(1)} MiB (node itself, stripped, plus the bundle)`);
  const results = new Map(subjects.map((s) => [s.name, { ack: [], rss: [] }]));
  for (let i = 0; i < rounds; i++) {
    for (const s of subjects) {
      const r = await s.run(i);
      results.get(s.name).ack.push(r.ackMs);
      results.get(s.name).rss.push(r.rssMb);
    }
  }
  const base = results.get('baseline (bare node, one fetch)');
  for (const [name, r] of results) {
    console.log(
      `${name.padEnd(34)} first event acknowledged ${median(r.ack).toFixed(0)} ms (target < 500)   idle RSS ${median(r.rss).toFixed(1)} MiB (target ≤ 60)   ratio to baseline: time ${(median(r.ack) / median(base.ack)).toFixed(2)}, RSS ${(median(r.rss) / median(base.rss)).toFixed(2)}`,
    );
  }
} finally {
  collector.close();
  rmSync(work, { recursive: true, force: true });
}
