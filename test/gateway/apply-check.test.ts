/**
 * `builder apply gateway` and `builder check gateway` against a real sshd on 127.0.0.1 whose
 * sessions run a scripted stand-in for VyOS's CLI (test/fixtures/vyos/vyos-cli-standin.mjs):
 * VyOS cannot run here. The stand-in records load / commit-confirm / confirm / save and answers
 * show commands from fixtures modelled on VyOS's documented output. Nothing is sent anywhere but
 * 127.0.0.1; the "each network's gateway address answers" check is a ping the gateway (here:
 * the stand-in) runs itself.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../builder/src/cli/dispatch.js';
import { memoryIo } from '../../builder/src/base/index.js';
import { diffConfig, parseConfigBoot } from '../../builder/src/vyos/index.js';
import { EventBatchSchema } from '@lab/shared';
import { startSshd, type TestSshd } from './sshd.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/genesis/lab.yaml', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../../shared/reference/seed-lab/gateway.conf', import.meta.url));
const SHOW = fileURLToPath(new URL('../fixtures/vyos/show', import.meta.url));

let tmp: string;
let lab: string;
let state: string;
let standin: string;
let sshd: TestSshd;
let collector: Server;
let collectorUrl: string;
const received: { auth: string | undefined; events: { source: string; kind: string; host: string; attrs: Record<string, unknown> }[] }[] = [];
const outputs: string[] = [];

async function cli(...args: string[]) {
  const io = memoryIo(tmp);
  // Port 9 (discard) refuses on loopback: no stray collector on this machine receives test events.
  const quiet = args[0] === 'apply' && !args.includes('--collector') ? ['--collector', 'http://127.0.0.1:9'] : [];
  const code = await dispatch([...args, ...quiet, '--lab', lab, '--host', `127.0.0.1:${sshd.port}`, '--user', userInfo().username], io);
  outputs.push(io.stdout, io.stderr);
  return { code, out: io.stdout, err: io.stderr };
}

function standinLog(): { cmd: string; address?: string; minutes?: number; path?: string }[] {
  const f = join(standin, 'log.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

function resetGateway() {
  rmSync(standin, { recursive: true, force: true });
  cpSync(SHOW, join(standin, 'show'), { recursive: true });
  // The gateway starts from the seed lab's hand-kept configuration.
  writeFileSync(join(standin, 'running.boot'), readFileSync(REFERENCE, 'utf8'));
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gw-apply-'));
  lab = join(tmp, 'lab', 'lab.yaml');
  cpSync(EXAMPLE, lab);
  state = join(tmp, 'lab', 'state');
  standin = join(tmp, 'vyos');
  const init = memoryIo(tmp);
  expect(await dispatch(['secrets', 'init', '--lab', lab], init)).toBe(0);
  resetGateway();
  sshd = await startSshd(join(tmp, 'sshd'), readFileSync(join(state, 'secrets', 'gateway_ed25519.pub'), 'utf8'), standin);
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/events') received.push({ auth: req.headers.authorization, events: JSON.parse(body).events });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
});

afterAll(async () => {
  await sshd?.stop();
  await new Promise((r) => collector?.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => resetGateway());

describe('builder apply gateway (real sshd, VyOS CLI stand-in)', () => {
  it('--dry-run pins the host key, shows the diff as config paths and changes nothing', async () => {
    rmSync(join(state, 'known_hosts'), { force: true });
    const before = readFileSync(join(standin, 'running.boot'), 'utf8');
    const r = await cli('apply', 'gateway', '--dry-run');
    // Every command first says which lab it acts on (issue 16), then only the note.
    expect(r.err).toBe(`lab: ${lab} (--lab)\nnote: no collector answered; the apply was not reported to the dashboard\n`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pinned the gateway's host key for \[127\.0\.0\.1\]:\d+: ssh-ed25519 SHA256:/);
    expect(r.out).toContain("~ service dhcp-relay upstream-interface 'eth0' -> 'eth1.20'");
    expect(r.out).toContain("- firewall interface eth0 in name 'WAN_TO_LAB'");
    expect(r.out).toContain("+ system login user vyos authentication encrypted-password '<secret>'");
    expect(r.out).toContain('--dry-run: stopping here');
    expect(standinLog().map((e) => e.cmd)).toEqual([]);
    expect(readFileSync(join(standin, 'running.boot'), 'utf8')).toBe(before);
    const pinned = readFileSync(join(state, 'known_hosts'), 'utf8');
    expect(pinned).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`);
  });

  it('uploads, loads with commit-confirm, pings every gateway address from the gateway, then confirms and saves', async () => {
    const r = await cli('apply', 'gateway', '--confirm-timeout', '3', '--collector', collectorUrl);
    expect(r.err).toBe(`lab: ${lab} (--lab)\n`);
    expect(r.code).toBe(0);
    const log = standinLog();
    const steps = log.map((e) => e.cmd);
    expect(steps.filter((s) => s !== 'ping' && s !== 'configure')).toEqual(['load', 'commit-confirm', 'confirm', 'save']);
    expect(steps.indexOf('confirm')).toBeGreaterThan(steps.lastIndexOf('ping'));
    expect(steps.indexOf('commit-confirm')).toBeLessThan(steps.indexOf('ping'));
    expect(log.find((e) => e.cmd === 'commit-confirm')?.minutes).toBe(3);
    expect(log.filter((e) => e.cmd === 'ping').map((e) => e.address)).toEqual(
      expect.arrayContaining(['10.10.10.1', '10.10.20.1', '10.10.30.1', '10.10.40.1', '10.10.50.1', '10.10.60.1', '10.0.0.2']),
    );
    // The upload carried the rendered config; it was removed from the gateway's /tmp afterwards.
    const uploaded = log.find((e) => e.cmd === 'load')!.path!;
    expect(uploaded).toMatch(/^\/tmp\/builder-gateway-[0-9a-f]{12}\.boot$/);
    expect(existsSync(uploaded)).toBe(false);
    const rendered = readFileSync(join(standin, 'running.boot'), 'utf8');
    expect(rendered).toContain("upstream-interface \"eth1.20\"");
    expect(r.out).toContain('confirmed and saved');

    // Every step reached the collector, with the lab's token, as gateway events.
    const token = readFileSync(join(state, 'secrets', 'collector-token'), 'utf8').trim();
    expect(received.every((b) => b.auth === `Bearer ${token}`)).toBe(true);
    const kinds = received.flatMap((b) => b.events).map((e) => e.kind);
    expect(kinds[0]).toBe('gateway.apply.connected');
    expect(kinds).toEqual(expect.arrayContaining(['gateway.apply.diff', 'gateway.apply.uploaded', 'gateway.apply.committed', 'gateway.apply.check', 'gateway.apply.confirmed']));
    expect(received.flatMap((b) => b.events).every((e) => e.source === 'gateway' && e.host === 'gateway')).toBe(true);
    for (const batch of received) expect(EventBatchSchema.safeParse({ events: batch.events }).success).toBe(true);

    // A second apply finds nothing to do.
    const again = await cli('apply', 'gateway');
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing to apply');
    const running = parseConfigBoot(readFileSync(join(standin, 'running.boot'), 'utf8')).nodes;
    const renderedTree = parseConfigBoot(rendered).nodes;
    expect(diffConfig(running, renderedTree)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('does not confirm when a gateway address does not answer after the commit', async () => {
    writeFileSync(join(standin, 'unreachable'), '10.10.40.1\n');
    const r = await cli('apply', 'gateway');
    expect(r.code).toBe(1);
    const steps = standinLog().map((e) => e.cmd);
    expect(steps).toContain('commit-confirm');
    expect(steps).not.toContain('confirm');
    expect(steps).not.toContain('save');
    expect(r.out).toMatch(/\[FAIL\] LAB_CLUSTER gateway 10\.10\.40\.1 on eth1\.40 answers — no answer/);
    expect(r.out).toMatch(/\[ok\] {3}LAB_MGMT gateway 10\.10\.10\.1 on eth1\.10 answers\n/);
    expect(r.out).toContain('not confirmed: within 5 min the gateway reverts by itself to its saved configuration');
  });

  it('reports a refused load without committing', async () => {
    writeFileSync(join(standin, 'reject-load'), '');
    const r = await cli('apply', 'gateway');
    expect(r.code).toBe(1);
    expect(r.err).toContain('the gateway refused the configuration');
    expect(standinLog().map((e) => e.cmd)).not.toContain('commit-confirm');
  });

  it('refuses a gateway whose host key differs from the pinned one', async () => {
    const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIH8v2f5d0m9Q3n7x4m8o0V1H8mKq5Yp3lZ8c1J0r9bLk';
    writeFileSync(join(state, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 ${other}\n`);
    const r = await cli('apply', 'gateway', '--dry-run');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing to talk to \[127\.0\.0\.1\]:\d+: its host key changed \(pinned ssh-ed25519 SHA256:\S+, offered ssh-ed25519 SHA256:\S+\)/);
    expect(r.err).toContain('how to fix: if the gateway was reinstalled, remove its line from');
    expect(standinLog()).toEqual([]);
    rmSync(join(state, 'known_hosts'));
  });
});

describe('builder check gateway (real sshd, VyOS CLI stand-in)', () => {
  it('passes when what the gateway shows matches the lab, and prints JSON with --json', async () => {
    const r = await cli('check', 'gateway');
    expect(r.code).toBe(0);
    expect(r.out).toContain('[ok]   LAB_PLATFORM up on br30 with 10.10.30.1/24');
    expect(r.out).toContain('[ok]   VLAN sub-interface eth2.30 up (member of br30)');
    expect(r.out).toContain('[ok]   source NAT: 10.10.0.0/16 masqueraded out of eth0');
    expect(r.out).toContain('[ok]   DHCP relay listening on br30, eth1.40, forwarding out of eth1.20 to 10.10.20.10');
    expect(r.out).toContain('[ok]   DNS forwarder listening on 10.10.50.1:53');
    expect(r.out).toContain('[ok]   BGP neighbour 10.10.30.10 (cp-1) AS 64513, shut down (Idle (Admin))');
    const j = await cli('check', 'gateway', '--json');
    const data = JSON.parse(j.out) as { ok: boolean; items: { id: string; ok: boolean }[] };
    expect(data.ok).toBe(true);
    expect(data.items.map((i) => i.id)).toEqual(expect.arrayContaining(['network:LAB_MGMT', 'nat:10.10.0.0/16', 'dhcp-relay', 'bgp:10.10.30.12']));
    expect(standinLog().map((e) => e.cmd)).toEqual([]);
  });

  it('fails, naming what is off, when the relay listens on the wrong interfaces and a VLAN is down', async () => {
    writeFileSync(join(standin, 'show', 'dhcrelay-ps.txt'), '/usr/sbin/dhcrelay -d -4 -c 10 -a -m discard -id eth1.30 -id eth1.40 -iu eth0 10.10.20.10\n');
    const ifaces = readFileSync(join(standin, 'show', 'show-interfaces.txt'), 'utf8').replace(/^(eth1\.60 .*)u\/u/m, '$1u/D');
    writeFileSync(join(standin, 'show', 'show-interfaces.txt'), ifaces);
    const r = await cli('check', 'gateway');
    expect(r.code).toBe(1);
    expect(r.out).toContain('[FAIL] DHCP relay listening on br30, eth1.40, forwarding out of eth1.20 to 10.10.20.10 — saw: listening on eth1.30, eth1.40, upstream eth0');
    expect(r.out).toContain('[FAIL] LAB_STORAGE up on eth1.60 with 10.10.60.1/24 — saw: eth1.60 u/D 10.10.60.1/24');
    expect(r.out).toContain('2 of');
  });
});

describe('secrets', () => {
  it('never appear in anything apply or check printed', () => {
    const secretsDir = join(state, 'secrets');
    const values: string[] = [];
    const gw = readFileSync(join(secretsDir, 'gateway.yaml'), 'utf8');
    for (const m of gw.matchAll(/^\s*(password|passwordHash):\s*['"]?(.+?)['"]?\s*$/gm)) values.push(m[2]!);
    values.push(readFileSync(join(secretsDir, 'collector-token'), 'utf8').trim());
    const key = readFileSync(join(secretsDir, 'gateway_ed25519'), 'utf8');
    values.push(...key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
    expect(values.length).toBeGreaterThan(3);
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const v of values) expect(all.includes(v)).toBe(false);
    expect(readdirSync(secretsDir).length).toBeGreaterThan(0);
  });
});
