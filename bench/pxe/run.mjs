// PXE file-serving benchmark, side by side on 127.0.0.1: the agent's TFTP (tftp-server, extended)
// against in.tftpd (tftp-hpa) for the iPXE loader (~1 MB) and a 30 MB file at the same block size,
// and the agent's HTTP against nginx for a 300 MB initrd. curl is the client for both sides, except
// the windowsize rows: there test/pxe/tftp-load.ts's RFC 7440 client asks both servers.
// Rounds alternate ours/baseline and the median of each is reported, so load from other work on
// the machine hits both alike. Ratio = baseline time / our time (1.0 = as fast; target ≥ 0.8).
//
//   node bench/pxe/run.mjs [--rounds N] [--http-mb N]
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, writeFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleNodeEsm } from '../../scripts/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'http-mb': { type: 'string', default: '300' } } });
const rounds = Number(values.rounds);
const work = mkdtempSync(join(tmpdir(), 'bench-pxe-'));
const dir = join(work, 'root');
mkdirSync(dir);

function randomFile(name, mb) {
  const fd = openSync(join(dir, name), 'w');
  for (let i = 0; i < mb; i++) writeSync(fd, randomBytes(1 << 20));
  closeSync(fd);
}
if (existsSync('/usr/lib/ipxe/ipxe.efi')) copyFileSync('/usr/lib/ipxe/ipxe.efi', join(dir, 'ipxe.efi'));
else writeFileSync(join(dir, 'ipxe.efi'), randomBytes(1 << 20));
randomFile('big30.img', 30);
randomFile('initrd.img', Number(values['http-mb']));

const serverJs = join(work, 'server.mjs');
// Everything bundled, as the agent ships: the output lives outside the repository.
await bundleNodeEsm({ entry: join(root, 'bench/pxe/server.ts'), outfile: serverJs, logLevel: 'error', external: [] });

const getJs = join(root, 'bench/pxe/.tftp-get.mjs');
await bundleNodeEsm({ entry: join(root, 'bench/pxe/tftp-get.ts'), outfile: getJs, logLevel: 'error' });

const ports = { ourTftp: 16969, ourHttp: 18080, hpa: 16970, nginx: 18081 };
const procs = [];
const ours = spawn(process.execPath, [serverJs, dir, String(ports.ourTftp), String(ports.ourHttp)], { stdio: ['ignore', 'pipe', 'inherit'] });
procs.push(ours);
await new Promise((r) => createInterface({ input: ours.stdout }).once('line', r));
procs.push(spawn('/usr/sbin/in.tftpd', ['-L', '-a', `127.0.0.1:${ports.hpa}`, '-s', dir], { stdio: 'ignore' }));
mkdirSync(join(work, 'nginx'));
writeFileSync(
  join(work, 'nginx/nginx.conf'),
  `daemon off;\nuser root;\nworker_processes 1;\npid ${work}/nginx/pid;\nerror_log ${work}/nginx/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  sendfile on;\n  server { listen 127.0.0.1:${ports.nginx}; root ${dir}; }\n}\n`,
);
procs.push(spawn('nginx', ['-c', join(work, 'nginx/nginx.conf'), '-p', join(work, 'nginx')], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 500));

/** A download with the RFC 7440 client; `url` is tftp://127.0.0.1:PORT/NAME, extra [blksize, windowsize]. */
function windowSeconds(url, extra) {
  const m = /:(\d+)\/(.+)$/.exec(url);
  const [t, size, granted] = execFileSync(process.execPath, [getJs, m[1], m[2], ...extra], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { t, size, granted };
}

function curlSeconds(url, extra = []) {
  const out = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{time_total} %{size_download}', ...extra, url], { encoding: 'utf8' });
  const [t, size] = out.trim().split(' ').map(Number);
  return { t, size };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases = [
  { name: 'TFTP ipxe.efi, blksize 512', ours: `tftp://127.0.0.1:${ports.ourTftp}/ipxe.efi`, base: `tftp://127.0.0.1:${ports.hpa}/ipxe.efi`, extra: ['--tftp-blksize', '512'], baseName: 'in.tftpd' },
  { name: 'TFTP ipxe.efi, blksize 1468', ours: `tftp://127.0.0.1:${ports.ourTftp}/ipxe.efi`, base: `tftp://127.0.0.1:${ports.hpa}/ipxe.efi`, extra: ['--tftp-blksize', '1468'], baseName: 'in.tftpd' },
  { name: 'TFTP 30 MB, blksize 1468', ours: `tftp://127.0.0.1:${ports.ourTftp}/big30.img`, base: `tftp://127.0.0.1:${ports.hpa}/big30.img`, extra: ['--tftp-blksize', '1468'], baseName: 'in.tftpd' },
  // RFC 7440: our client asks windowsize; in.tftpd (tftp-hpa 5.2) does not know the option, so it
  // leaves it out of its OACK and the transfer runs lock-step — which is what a client asking
  // for windowsize gets from it. EDK2's firmware asks for 4.
  { name: 'TFTP ipxe.efi, 1468, window 4', ours: `tftp://127.0.0.1:${ports.ourTftp}/ipxe.efi`, base: `tftp://127.0.0.1:${ports.hpa}/ipxe.efi`, extra: ['1468', '4'], baseName: 'in.tftpd', get: windowSeconds },
  { name: 'TFTP 30 MB, 1468, window 8', ours: `tftp://127.0.0.1:${ports.ourTftp}/big30.img`, base: `tftp://127.0.0.1:${ports.hpa}/big30.img`, extra: ['1468', '8'], baseName: 'in.tftpd', get: windowSeconds },
  { name: `HTTP ${values['http-mb']} MB initrd`, ours: `http://127.0.0.1:${ports.ourHttp}/initrd.img`, base: `http://127.0.0.1:${ports.nginx}/initrd.img`, extra: [], baseName: 'nginx' },
];

try {
  console.log(`bench/pxe: ${rounds} alternating rounds per case, median wall time of a curl download on 127.0.0.1`);
  for (const c of cases) {
    const get = c.get ?? curlSeconds;
    get(c.ours, c.extra);
    get(c.base, c.extra);
    const o = [];
    const b = [];
    let size = 0;
    for (let i = 0; i < rounds; i++) {
      const r = get(c.ours, c.extra);
      size = r.size;
      o.push(r.t);
      b.push(get(c.base, c.extra).t);
    }
    const mo = median(o);
    const mb = median(b);
    const mbps = (s, t) => ((s / t) / (1 << 20)).toFixed(1);
    console.log(`${c.name.padEnd(30)} ours ${mo.toFixed(3)} s (${mbps(size, mo)} MiB/s)   ${c.baseName} ${mb.toFixed(3)} s (${mbps(size, mb)} MiB/s)   ratio ${(mb / mo).toFixed(2)}`);
  }
} finally {
  for (const p of procs) p.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
  rmSync(getJs, { force: true });
}
