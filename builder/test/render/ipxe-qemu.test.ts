import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parseLab, type Lab } from '@lab/shared';
import { harvesterIpxe, talosIpxe } from '../../src/render/ipxe.js';

/**
 * Boots QEMU's iPXE ROM (TCG, user networking) with DHCP option 67 pointing at a rendered
 * script on a loopback HTTP server (the guest reaches the host's 127.0.0.1 as 10.0.2.2), and
 * records what the script asks for: the beacon, then the kernel and initrd. The boot files are
 * stand-ins (a few bytes), so QEMU is stopped once the initrd has been fetched.
 */

async function exampleLab(): Promise<Lab> {
  const r = parseLab(await readFile('examples/genesis/lab.yaml', 'utf8'), 'lab.yaml');
  if (!r.ok) throw new Error('example lab invalid');
  return r.lab;
}

/** Serves `render(base)` as the MAC's script and boots it; returns the request paths in order. */
async function bootRendered(mac: string, render: (base: string) => string, kernel404s = 0): Promise<{ script: string; requests: string[]; console: string }> {
  let refused = 0;
  const requests: string[] = [];
  let script = '';
  let onInitrd: () => void = () => undefined;
  const initrdFetched = new Promise<void>((resolve) => (onInitrd = resolve));
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    if (url.startsWith('/ipxe/')) return res.end(script);
    if (url.startsWith('/beacon/')) return res.end('ok\n');
    if (url.startsWith('/assets/') && /vmlinuz/.test(url) && refused < kernel404s) {
      refused++;
      res.statusCode = 404;
      return res.end();
    }
    if (url.startsWith('/assets/')) {
      if (/initr/.test(url)) setTimeout(onInitrd, 300);
      return res.end(Buffer.alloc(64));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  script = render(`http://10.0.2.2:${port}`);
  const file = `/ipxe/${mac.replace(/:/g, '-')}.ipxe`;
  const qemu = execa(
    'qemu-system-x86_64',
    ['-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot', '-netdev', `user,id=n0,bootfile=http://10.0.2.2:${port}${file}`, '-device', `e1000,netdev=n0,mac=${mac}`, '-boot', 'n'],
    { reject: false, timeout: 150_000, stdin: 'ignore' },
  );
  await Promise.race([initrdFetched, qemu]);
  qemu.kill('SIGTERM');
  const result = await qemu;
  server.close();
  return { script, requests, console: String(result.stdout).replace(/\r/g, '') };
}

describe('rendered iPXE scripts run in a real iPXE (QEMU)', () => {
  it('Harvester: beacon, then the installer kernel and initrd; failures of the beacon do not stop it', async () => {
    const lab = await exampleLab();
    const mac = '02:00:00:00:02:01';
    const [ok, noBeacon] = await Promise.all([
      bootRendered(mac, (base) => harvesterIpxe(lab, 'ms02-1', base)),
      // Same script with the beacon pointing at a path the server refuses.
      bootRendered(mac, (base) => harvesterIpxe(lab, 'ms02-1', base).replace('/beacon/', '/no-beacon/')),
    ]);
    expect(ok.requests).toEqual([
      '/ipxe/02-00-00-00-02-01.ipxe',
      '/beacon/02-00-00-00-02-01?step=harvester-installer',
      '/assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64',
      '/assets/harvester/v1.5.0/harvester-v1.5.0-initrd-amd64',
    ]);
    expect(ok.console).toContain('Booting the Harvester v1.5.0 installer for ms02-1 (02:00:00:00:02:01)');
    expect(noBeacon.requests.slice(2)).toEqual(ok.requests.slice(2));
    expect(noBeacon.console).toContain('(beacon not delivered)');
  }, 200_000);

  it('retries a kernel answered 404, reporting each failure, and boots once it is served', async () => {
    const lab = await exampleLab();
    const r = await bootRendered('02:00:00:00:02:02', (base) => harvesterIpxe(lab, 'ms02-2', base), 2);
    const kernel = '/assets/harvester/v1.5.0/harvester-v1.5.0-vmlinuz-amd64';
    expect(r.requests.map((u) => u.replace(/failed=[^&]+/, 'failed=E'))).toEqual([
      '/ipxe/02-00-00-00-02-02.ipxe',
      '/beacon/02-00-00-00-02-02?step=harvester-installer',
      kernel,
      '/beacon/02-00-00-00-02-02?step=kernel&failed=E&try=1',
      kernel,
      '/beacon/02-00-00-00-02-02?step=kernel&failed=E&try=2',
      kernel,
      '/assets/harvester/v1.5.0/harvester-v1.5.0-initrd-amd64',
    ]);
    // The failure carries iPXE's error number (${errno}; ipxe.org/err explains each).
    expect(r.requests[3]).toMatch(/failed=0x[0-9a-f]{8}/);
    expect(r.console).toContain('Fetching the kernel failed (try 1 of 5');
  }, 200_000);

  it('Talos: beacon, then kernel and initramfs', async () => {
    const lab = await exampleLab();
    const r = await bootRendered('02:00:00:00:03:02', (base) => talosIpxe(lab, 'cp-2', base));
    expect(r.requests).toEqual(['/ipxe/02-00-00-00-03-02.ipxe', '/beacon/02-00-00-00-03-02?step=talos', '/assets/talos/v1.12.0/vmlinuz-amd64', '/assets/talos/v1.12.0/initramfs-amd64.xz']);
    expect(r.script).toMatch(/talos\.config=http:\/\/10\.0\.2\.2:\d+\/talos\/cp-2\.yaml/);
  }, 200_000);
});
