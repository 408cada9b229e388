import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFacts, primaryMac, redactCmdline } from '../src/roles/host/facts.js';
import { systemReader } from '../src/roles/host/read.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sysroot-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content + '\n');
  }
  return root;
}

describe('host facts', () => {
  it('reads DMI, MACs, disks, boot mode, uptime and the command line from a /sys and /proc tree', () => {
    const root = tree({
      'sys/class/dmi/id/product_name': 'MS-02',
      'sys/class/dmi/id/product_serial': 'To Be Filled By O.E.M.',
      'sys/class/dmi/id/sys_vendor': 'Minisforum',
      'sys/class/net/lo/address': '00:00:00:00:00:00',
      'sys/class/net/enp1s0/address': '38:05:25:34:25:D0',
      'sys/class/net/enp1s0/operstate': 'up',
      'sys/block/nvme0n1/size': '2000409264',
      'sys/block/nvme0n1/removable': '0',
      'sys/block/nvme0n1/queue/rotational': '0',
      'sys/block/nvme0n1/device/model': 'Samsung SSD 990 PRO 1TB  ',
      'sys/block/loop0/size': '8',
      'sys/firmware/efi/fw_platform_size': '64',
      'proc/cmdline': 'BOOT_IMAGE=/vmlinuz harvester.install.automatic=true token=s3cr3t console=ttyS0',
      'proc/uptime': '12.34 40.00',
      'proc/meminfo': 'MemTotal:       98304000 kB\nMemFree:        90000000 kB',
      'sys/devices/system/cpu/cpu0/online': '1',
      'sys/devices/system/cpu/cpu1/online': '1',
      'sys/devices/system/cpu/cpu19/online': '1',
      'sys/devices/system/cpu/cpufreq/boost': '1',
      'sys/devices/system/cpu/possible': '0-19',
    });
    const facts = collectFacts(systemReader(root), { enp1s0: ['172.31.5.100/24'] });
    expect(facts.product).toBe('MS-02');
    expect(facts.vendor).toBe('Minisforum');
    expect(facts.serial).toBeNull();
    expect(facts.bootMode).toBe('uefi');
    expect(facts.uptimeSeconds).toBe(12.34);
    expect(facts.cpus).toBe(3);
    expect(facts.memoryBytes).toBe(98304000 * 1024);
    expect(facts.interfaces).toEqual([{ name: 'enp1s0', mac: '38:05:25:34:25:d0', addresses: ['172.31.5.100/24'], operstate: 'up' }]);
    expect(facts.disks).toEqual([{ name: 'nvme0n1', size: 2000409264 * 512, model: 'Samsung SSD 990 PRO 1TB', removable: false, rotational: false }]);
    expect(facts.cmdline).toBe('BOOT_IMAGE=/vmlinuz harvester.install.automatic=true token=<redacted> console=ttyS0');
    expect(primaryMac(facts)).toBe('38:05:25:34:25:d0');
  });

  it('reports BIOS boot and copes with a tree that lacks DMI (a busybox initramfs without it)', () => {
    const facts = collectFacts(systemReader(tree({ 'proc/cmdline': 'console=ttyS0' })), {});
    expect(facts).toMatchObject({ product: null, bootMode: 'bios', interfaces: [], disks: [], uptimeSeconds: null, cpus: null, memoryBytes: null });
  });

  it('reads this machine\'s CPUs and memory as the kernel reports them', () => {
    const facts = collectFacts(systemReader('/'), {});
    // Node reads MemTotal too (libuv uv_get_total_memory); /sys lists every present CPU.
    expect(facts.memoryBytes).toBe(totalmem());
    expect(facts.cpus).toBeGreaterThanOrEqual(cpus().length);
  });

  it('redacts credential-looking kernel arguments only', () => {
    expect(redactCmdline('a=1 talos.password=x api_key=y quiet')).toBe('a=1 talos.password=<redacted> api_key=<redacted> quiet');
  });

  it('redacts credentials inside ordinary arguments: URL query tokens, user:password@host, auth, bearer, pw', () => {
    const S = 'S3cr3tValue';
    const cases: Array<[string, string]> = [
      [`x=https://h/c?token=${S}`, 'x=https://h/c?token=<redacted>'],
      [`harvester.install.config_url=http://10.1.1.1/c?mac=aa&secret=${S}`, 'harvester.install.config_url=http://10.1.1.1/c?mac=aa&secret=<redacted>'],
      [`u:${S}@h`, 'u:<redacted>@h'],
      [`talos.config=https://u:${S}@h/c`, 'talos.config=https://u:<redacted>@h/c'],
      [`auth=${S}`, 'auth=<redacted>'],
      [`bearer=${S}`, 'bearer=<redacted>'],
      [`pw=${S}`, 'pw=<redacted>'],
      [`x.pwd=${S}`, 'x.pwd=<redacted>'],
    ];
    for (const [input, want] of cases) {
      expect(redactCmdline(input)).toBe(want);
      expect(redactCmdline(input)).not.toContain(S);
    }
    // Ordinary arguments stay as they are, ip= with its colons included.
    const plain = 'console=ttyS0 ip=10.0.0.2::10.0.0.1:255.255.255.0:h:eth0:off power=1 talos.platform=metal';
    expect(redactCmdline(plain)).toBe(plain);
  });
});
