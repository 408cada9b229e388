// make-usb benchmark: on a stand-in Talos ISO of about 300 MB (padded with a random file), the
// wall time of `builder make-usb` against `cp` of the same ISO, run side by side (alternating,
// median of N rounds), and the peak RSS of make-usb's whole process tree (node plus xorriso,
// zstd, mksquashfs…, sampled from /proc every 20 ms). Targets: at most 1.5x cp + fsync of the
// output, peak RSS 200 MB. make-usb runs twice per round: with --base (it hashes the base) and
// from the image cache (the cache's stat stamp of its last hash check vouches for the base).
//
//   node bench/make-usb/run.mjs [--rounds N] [--pad BYTES] [--cli A.js --cli B.js …]
// (--cli: other builds of the CLI to time in the same interleaved rounds, e.g. before/after;
// needs GNU time at /usr/bin/time for the CPU column)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleNodeEsm } from '../../scripts/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { cli: { type: 'string', multiple: true }, rounds: { type: 'string', default: '3' }, pad: { type: 'string', default: String(260 * 1024 * 1024) } } });
const rounds = Number(values.rounds);

const clis = values.cli?.length ? values.cli.map((c) => resolve(c)) : [join(root, 'builder/dist/cli.js')];
for (const c of clis) if (!existsSync(c)) throw new Error(`no CLI at ${c}: build it first (npm run build)`);
const gen = join(root, 'bench/out/standin-build.mjs');
await bundleNodeEsm({ entry: join(root, 'test/fixtures/standin/build.ts'), outfile: gen, logLevel: 'error' });

function run(cmd, args, { sample = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let peak = 0;
    const timer = sample ? setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 20) : undefined;
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${err}`));
      else resolvePromise({ ms, peak, out });
    });
  });
}

/** Sum of VmRSS (bytes) of pid and all its descendants (found through /proc/PID/task/TID/children). */
function treeRss(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) stack.push(Number(c));
      }
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

const base = (await run('node', [gen, '--pad', values.pad])).out.trim();
const work = join(root, 'bench/out/make-usb');
mkdirSync(work, { recursive: true });
const config = join(work, 'config.yaml');
writeFileSync(config, 'version: v1alpha1\nmachine:\n  type: controlplane\n  token: bench.0123456789abcdef\n', { mode: 0o600 });
const sizeMb = statSync(base).size / 1e6;
// A lab whose images.yaml pins the base, and a cache holding it (images import hashes it once).
const labDir = join(work, 'lab');
mkdirSync(labDir, { recursive: true });
writeFileSync(join(labDir, 'lab.yaml'), readFileSync(join(root, 'examples/genesis/lab.yaml')));
const baseSha = (await run('sha256sum', [base])).out.split(' ')[0];
writeFileSync(join(labDir, 'images.yaml'), ['apiVersion: images.lab.gilman.io/v1alpha1', 'kind: ImageManifest', 'spec:', '  images:', '    - name: talos-metal', '      type: iso', '      source:', '        url: https://factory.talos.dev/image/x/v1.12.0/metal-amd64.iso', `        checksum: sha256:${baseSha}`, ''].join('\n'));
const cacheDir = join(work, 'cache');
rmSync(cacheDir, { recursive: true, force: true });
await run('node', [clis[0], 'images', 'import', base, '--lab', join(labDir, 'lab.yaml'), '--cache', cacheDir]);

const cpTimes = [];
const cpSyncTimes = [];
const shaTimes = [];
const floorTimes = [];
const mkTimes = clis.map(() => []);
const mkCacheTimes = clis.map(() => []);
// CPU seconds (user + system) of make-usb's whole process tree, from GNU time: less skewed by
// other work on the machine than wall time, so small changes show between builds.
const mkCpu = clis.map(() => []);
const cpuFile = join(work, 'cpu.txt');
const peaks = clis.map(() => 0);
// The same sha256 make-usb computes (node:crypto, 1 MiB reads), in its own process.
const shaScript = `const h=require('crypto').createHash('sha256');const s=require('fs').createReadStream(process.argv[1],{highWaterMark:1<<20});s.on('data',d=>h.update(d));s.on('end',()=>h.digest('hex'))`;
for (let i = 0; i < rounds; i++) {
  const cpOut = join(work, 'copy.iso');
  cpTimes.push((await run('cp', [base, cpOut])).ms);
  rmSync(cpOut, { force: true });
  cpSyncTimes.push((await run('sh', ['-c', 'cp "$1" "$2" && sync "$2"', 'cpsync', base, cpOut])).ms);
  rmSync(cpOut, { force: true });
  shaTimes.push((await run('node', ['-e', shaScript, base])).ms);
  // The floor of make-usb's contract: read the base twice (copy + hash), fsync, hash the output.
  floorTimes.push((await run('sh', ['-c', `openssl dgst -sha256 "$1" >/dev/null & cp "$1" "$2" && sync "$2" && openssl dgst -sha256 "$2" >/dev/null; wait`, 'floor', base, cpOut])).ms);
  rmSync(cpOut, { force: true });
  for (const [k, cli] of clis.entries()) {
    const mkOut = join(work, 'made.iso');
    const r = await run('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, 'node', cli, 'make-usb', '--target', 'um760', '--base', base, '--config', config, '--out', mkOut], { sample: true });
    mkTimes[k].push(r.ms);
    const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    mkCpu[k].push((user + sys) * 1000);
    peaks[k] = Math.max(peaks[k], r.peak);
    rmSync(mkOut, { force: true });
    rmSync(`${mkOut}.json`, { force: true });
    const c = await run('node', [cli, 'make-usb', '--target', 'um760', '--lab', join(labDir, 'lab.yaml'), '--cache', cacheDir, '--config', config, '--out', mkOut], { sample: true });
    mkCacheTimes[k].push(c.ms);
    peaks[k] = Math.max(peaks[k], c.peak);
    rmSync(mkOut, { force: true });
    rmSync(`${mkOut}.json`, { force: true });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpMs = median(cpTimes);
const floorMs = median(floorTimes);
const cpSyncMs = median(cpSyncTimes);
const line = (label, xs, note = '') => console.log(`  ${label.padEnd(22)} ${median(xs).toFixed(0).padStart(6)} ms   [${xs.map((t) => t.toFixed(0)).join(', ')}]${note}`);
console.log(`make-usb benchmark: stand-in ISO ${sizeMb.toFixed(0)} MB, ${rounds} rounds interleaved, medians`);
line('cp (baseline)', cpTimes);
line('cp + fsync', cpSyncTimes, '  (the atomic write alone)');
line('sha256 of the ISO', shaTimes, '  (node:crypto, as make-usb hashes; needed for the base and again for the output)');
line('cp+sha256+fsync', floorTimes, '  (the I/O make-usb must do at least)');
console.log(`  ratio (cp+sha256+fsync)/cp  ${(floorMs / cpMs).toFixed(2)}x   (what the contract alone costs against the baseline)`);
for (const [k, cli] of clis.entries()) {
  const mkMs = median(mkTimes[k]);
  line(clis.length > 1 ? `make-usb ${relative(root, cli) || cli}` : 'builder make-usb', mkTimes[k]);
  line('  CPU (user+sys)', mkCpu[k], '  (whole process tree)');
  console.log(`    ratio make-usb/(cp+fsync)  ${(mkMs / cpSyncMs).toFixed(2)}x   (target <= 1.5x);  make-usb/cp  ${(mkMs / cpMs).toFixed(2)}x;  make-usb/(cp+sha256+fsync)  ${(mkMs / floorMs).toFixed(2)}x`);
  const cacheMs = median(mkCacheTimes[k]);
  line('  from the cache', mkCacheTimes[k], '  (no --base: the cache stamp vouches for the base, no rehash)');
  console.log(`    ratio from-cache/(cp+fsync)  ${(cacheMs / cpSyncMs).toFixed(2)}x   (target <= 1.5x)`);
  console.log(`    peak RSS           ${(peaks[k] / 1024 / 1024).toFixed(0)} MB (process tree, sampled every 20 ms; target <= 200 MB)`);
}
console.log(`  load average       ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (other work on this machine skews every column)`);
