// Collector ingest benchmark: events/s with durability on (SQLite WAL, synchronous=FULL, batches
// of 100) and p99 latency, side by side with a bare fastify route answering 204; then memory of
// the collector over a soak. Everything runs on 127.0.0.1.
//
//   node bench/collector/run.mjs [--duration S] [--rounds N] [--connections N] [--soak S] [--batch N] [--collector FILE]
//
// --collector runs an already bundled collector-main (for example one bundled from an earlier
// commit) instead of bundling the current source: run once with each to compare two versions.
//
// Baseline and collector runs alternate for --rounds rounds and the median of each is reported,
// so load from other work on the machine hits both sides alike.
//
// The collector runs in its own process (bundled from test/collector/fixtures/collector-main.ts);
// the load generator is this process (keep-alive HTTP/1.1, N requests in flight).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bundleNodeEsm, repoRoot as root } from '../../scripts/bundle.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    soak: { type: 'string', default: '30' },
    batch: { type: 'string', default: '100' },
    collector: { type: 'string' },
  },
});
const DURATION = Number(values.duration) * 1000;
const CONNECTIONS = Number(values.connections);
const SOAK = Number(values.soak) * 1000;
const BATCH = Number(values.batch);
const TOKEN = 'bench-token';
const LAB = join(root, 'examples/genesis/lab.yaml');
const HOSTS = ['gateway', 'cp-1', 'ms02-1', 'ms02-2', 'ms02-3', 'cp-2', 'cp-3'];
const KINDS = ['note', 'dhcp.discover', 'tftp.start', 'http.fetch', 'install.started', 'kmsg-like'];

function bundle() {
  return bundleNodeEsm({ entry: join(root, 'test/collector/fixtures/collector-main.ts'), outfile: join(root, 'bench/out/collector.mjs') });
}

function start(script, env = {}) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    createInterface({ input: child.stdout }).once('line', (l) => res({ child, ...JSON.parse(l) }));
    child.once('exit', (c) => rej(new Error(`server exited (${c})`)));
  });
}

function stop(child) {
  return new Promise((res) => {
    child.once('exit', res);
    child.kill('SIGTERM');
  });
}

let seq = 0;
function body() {
  const t = new Date().toISOString();
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    seq += 1;
    events.push({ id: `b-${process.pid}-${seq}`, host: HOSTS[seq % HOSTS.length], source: 'agent', kind: KINDS[seq % KINDS.length], time: t, attrs: { n: seq, msg: 'benchmark event with a short message' } });
  }
  return JSON.stringify({ events });
}

/** Runs N requests in flight for `ms`; returns requests, events and latencies (ms). */
async function load(port, ms, onSample) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [];
  let requests = 0;
  let errors = 0;
  const end = Date.now() + ms;
  const one = (payload) =>
    new Promise((res) => {
      const t0 = performance.now();
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(payload) } }, (r) => {
        r.resume();
        r.on('end', () => {
          if (r.statusCode === 200 || r.statusCode === 204) {
            latencies.push(performance.now() - t0);
            requests += 1;
          } else errors += 1;
          res();
        });
      });
      req.on('error', () => {
        errors += 1;
        res();
      });
      req.end(payload);
    });
  const started = Date.now();
  let nextSample = started + 5000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        await one(body());
        if (onSample && Date.now() >= nextSample) {
          nextSample += 5000;
          onSample(Date.now() - started);
        }
      }
    }),
  );
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests, errors, seconds, rps: requests / seconds, eps: (requests * BATCH) / seconds, p50: pct(50), p99: pct(99) };
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'bench-collector-'));
try {
  const collectorScript = values.collector ?? (await bundle());
  const env = { LAB_FILE: LAB, TOKEN };

  const ROUNDS = Number(values.rounds);
  console.log(`collector ingest benchmark: batches of ${BATCH}, ${CONNECTIONS} requests in flight, ${ROUNDS} alternating rounds of ${values.duration} s, 127.0.0.1`);
  const baseline = await start(join(root, 'bench/collector/baseline-server.mjs'));
  const collector = await start(collectorScript, { ...env, DB_FILE: join(dir, 'events.db') });
  await load(baseline.port, 1000); // warm-up
  await load(collector.port, 1000);
  const bases = [];
  const colls = [];
  for (let r = 0; r < ROUNDS; r++) {
    bases.push(await load(baseline.port, DURATION));
    colls.push(await load(collector.port, DURATION));
  }
  await stop(baseline.child);
  const median = (runs) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
  const base = median(bases);
  const coll = median(colls);
  console.log(`rounds (req/s, baseline | collector): ${bases.map((b, i) => `${b.rps.toFixed(0)} | ${colls[i].rps.toFixed(0)}`).join(', ')}`);

  const row = (name, r) => `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s ${r.eps.toFixed(0).padStart(9)} events/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   errors ${r.errors}`;
  console.log(row('bare fastify 204 (median)', base));
  console.log(row('collector WAL+FULL (median)', coll));
  // Each round's ratio pairs runs taken moments apart, so their median is the steadier figure
  // when other work loads the machine; the ratio of the two medians is printed beside it.
  const ratios = colls.map((c, i) => c.rps / bases[i].rps).sort((a, b) => a - b);
  console.log(`ratio collector/baseline: ${ratios[Math.floor(ratios.length / 2)].toFixed(2)} (median of the rounds' ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}; ratio of medians ${(coll.rps / base.rps).toFixed(2)}) of the bare route's request rate`);

  if (SOAK > 0) {
    const samples = [];
    const sample = (t) => samples.push({ t, rss: rssOf(collector.pid) });
    sample(0);
    const soak = await load(collector.port, SOAK, sample);
    sample(SOAK);
    const rss = samples.map((s) => s.rss);
    const firstHalf = rss.slice(0, Math.ceil(rss.length / 2));
    const secondHalf = rss.slice(Math.ceil(rss.length / 2));
    console.log(`soak ${values.soak} s: ${soak.eps.toFixed(0)} events/s, ${soak.requests * BATCH} events stored; collector RSS start ${mb(rss[0])}, max ${mb(Math.max(...rss))}, end ${mb(rss[rss.length - 1])}; max first half ${mb(Math.max(...firstHalf))}, max second half ${mb(Math.max(...(secondHalf.length ? secondHalf : firstHalf)))}`);
    console.log(`rss samples (s: MB): ${samples.map((s) => `${Math.round(s.t / 1000)}:${(s.rss / 1048576).toFixed(0)}`).join(' ')}`);
  }
  await stop(collector.child);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
