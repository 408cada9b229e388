// PXE storm: N machines (default 50) ask the agent's full-mode DHCP at once and each fetches the
// UEFI loader (Debian's ipxe.efi) by TFTP with EDK2's options (blksize 1468, windowsize 4); the
// figure is the time until every loader is served. Baseline, side by side: the same work for N
// other machines one after another. Ratio = serial time / storm time (> 1: the storm overlaps).
// The agent is the real bundle (run `npm run build` first) in a network namespace; the clients
// run in a second one, joined by a veth (172.31.250.0/24). Needs root (ip netns).
//
//   node bench/pxe/storm.mjs [--clients N]
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleNodeEsm } from '../../scripts/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { clients: { type: 'string', default: '50' } } });
const n = Number(values.clients);
const agent = join(root, 'agent/dist/agent.cjs');
if (!existsSync(agent)) throw new Error('bench/pxe/storm: agent/dist/agent.cjs is missing: run `npm run build` first');
const work = mkdtempSync(join(tmpdir(), 'bench-storm-'));
const client = join(root, 'bench/pxe/.storm-client.mjs');
await bundleNodeEsm({ entry: join(root, 'bench/pxe/storm-client.ts'), outfile: client, logLevel: 'error' });
const srv = `bs-${process.pid}`;
const cli = `bc-${process.pid}`;
const ipx = (...a) => execFileSync('ip', a, { encoding: 'utf8' });
const procs = [];
try {
  ipx('netns', 'add', srv);
  ipx('netns', 'add', cli);
  ipx('link', 'add', `bvs${process.pid}`.slice(0, 15), 'type', 'veth', 'peer', 'name', `bvc${process.pid}`.slice(0, 15));
  ipx('link', 'set', `bvs${process.pid}`.slice(0, 15), 'netns', srv);
  ipx('link', 'set', `bvc${process.pid}`.slice(0, 15), 'netns', cli);
  ipx('-n', srv, 'addr', 'add', '172.31.250.1/24', 'dev', `bvs${process.pid}`.slice(0, 15));
  for (const [ns, dev] of [[srv, `bvs${process.pid}`], [cli, `bvc${process.pid}`]]) {
    ipx('-n', ns, 'link', 'set', 'lo', 'up');
    ipx('-n', ns, 'link', 'set', dev.slice(0, 15), 'up');
  }
  // The clients hold no address yet: a device route carries their 255.255.255.255 broadcasts.
  ipx('-n', cli, 'route', 'add', 'default', 'dev', `bvc${process.pid}`.slice(0, 15));
  const rootDir = join(work, 'root');
  mkdirSync(rootDir);
  copyFileSync('/usr/lib/ipxe/ipxe.efi', join(rootDir, 'ipxe.efi'));
  const hosts = [];
  for (let i = 1; i <= n; i++) for (const k of [i, 100 + i]) hosts.push(`    - { name: m${k}, mac: "02:00:00:50:${((k >> 8) & 255).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}" }`);
  writeFileSync(
    join(work, 'agent.yaml'),
    `collector: { url: "http://127.0.0.1:9", token: "bench-storm-token-0123456789" }\nhost: { name: gateway }\nroles: [pxe]\nspool: { dir: ${join(work, 'spool')} }\npxe:\n  mode: full\n  address: 172.31.250.1\n  range: [172.31.250.10, 172.31.250.250]\n  router: 172.31.250.1\n  dns: [172.31.250.1]\n  root: ${rootDir}\n  hosts:\n${hosts.join('\n')}\n`,
    { mode: 0o600 },
  );
  const a = spawn('ip', ['netns', 'exec', srv, process.execPath, agent, '--config', join(work, 'agent.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(a);
  for (let i = 0; i < 100 && !execFileSync('ip', ['netns', 'exec', srv, 'ss', '-uln'], { encoding: 'utf8' }).includes(':69 '); i++) await new Promise((r) => setTimeout(r, 50));
  const run = (mode) => Number(execFileSync('ip', ['netns', 'exec', cli, process.execPath, client, '172.31.250.1', `bvc${process.pid}`.slice(0, 15), String(n), mode], { encoding: 'utf8', timeout: 600_000 }).trim());
  const storm = run('parallel');
  const serial = run('serial');
  console.log(`bench/pxe storm: ${n} machines, DHCP lease + TFTP ipxe.efi (blksize 1468, windowsize 4) each`);
  console.log(`all at once ${storm.toFixed(2)} s until every loader is served   one after another ${serial.toFixed(2)} s   ratio ${(serial / storm).toFixed(2)}`);
} finally {
  for (const p of procs) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  execFileSync('ip', ['netns', 'delete', cli], { stdio: 'ignore' });
  execFileSync('ip', ['netns', 'delete', srv], { stdio: 'ignore' });
  rmSync(client, { force: true });
  rmSync(work, { recursive: true, force: true });
}
