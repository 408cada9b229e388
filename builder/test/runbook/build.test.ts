import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PHASES, STAGES, STALL_RULES, parseLab, type Lab } from '@lab/shared';
import { anchors, buildRunbook, remedyIds, renderHtml, renderMarkdown } from '../../src/runbook/index.js';

function lab(text: string): Lab {
  const r = parseLab(text, 'lab.yaml');
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.lab;
}

const MINIMAL = `
site: { name: tiny, domain: tiny.example.org }
networks:
  - { name: MGMT, vlan: 10, cidr: 172.31.10.0/24, gateway: 172.31.10.1, purpose: management }
hosts:
  - name: node-1
    model: nuc
    boot: usb
    role: harvester
    nics: [{ mac: "02:00:00:00:00:01", untagged: MGMT }]
    addresses: [{ network: MGMT, address: 172.31.10.11 }]
collector: { url: "http://172.31.10.5:8080" }
`;

describe('runbook model', () => {
  it('has one unique anchor per phase, stage, remedy and stall rule of the phase model', async () => {
    const example = lab(await readFile('examples/genesis/lab.yaml', 'utf8'));
    const ids = anchors(buildRunbook(example, { labArg: 'lab.yaml', stateDir: 'state' }));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...PHASES.map((p) => p.id), ...STAGES.map((s) => s.id), ...STALL_RULES.map((r) => r.id), ...remedyIds().map((r) => r.id)]) expect(ids).toContain(id);
  });

  it('builds for a lab with no gateway, platform or PXE service', () => {
    const r = buildRunbook(lab(MINIMAL), { labArg: 'tiny/lab.yaml', stateDir: 'tiny/state' });
    const md = renderMarkdown(r);
    const html = renderHtml(r);
    expect(md).toContain('`node-1`');
    expect(md).toContain('172.31.10.11');
    expect(md).not.toContain('talosctl --talosconfig tiny/state/rendered/talosconfig --endpoints');
    expect(html).toContain('id="harvester-install"');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });

  it('escapes lab text in HTML', () => {
    const r = buildRunbook(lab(MINIMAL.replace('purpose: management }', 'purpose: management, description: "<script>x</script> & co" }')), { labArg: 'lab.yaml', stateDir: 'state' });
    const html = renderHtml(r);
    expect(html).not.toContain('<script>x</script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt; &amp; co');
  });

  it('saves the stick-loaded gateway configuration before `install image` offers it as the boot config', async () => {
    const md = renderMarkdown(buildRunbook(lab(await readFile('examples/genesis/lab.yaml', 'utf8')), { labArg: 'lab.yaml', stateDir: 'state' }));
    const install = md.indexOf('\ninstall image');
    expect(install).toBeGreaterThan(0);
    const before = md.slice(0, install);
    expect(before.lastIndexOf('\nconfigure')).toBeGreaterThan(before.lastIndexOf('```'));
    expect(before).toMatch(/\nconfigure\nsave[^\n]*\nexit$/);
  });

  it('is the same for the same lab', async () => {
    const text = await readFile('examples/genesis/lab.yaml', 'utf8');
    const a = renderHtml(buildRunbook(lab(text), { labArg: 'l', stateDir: 's' }));
    const b = renderHtml(buildRunbook(lab(text), { labArg: 'l', stateDir: 's' }));
    expect(a).toBe(b);
  });

  it("the remedy for an install that never starts lists Harvester's preflight causes with the lab's values per host", async () => {
    const text = (await readFile('examples/genesis/lab.yaml', 'utf8'))
      .replace('    skipChecks: true', '    skipChecks: false')
      .replace('    cpus: 20\n    memory: 96GB\n    nics: [{ mac: "02:00:00:00:02:02"', '    cpus: 12\n    memory: 32GB\n    nics: [{ mac: "02:00:00:00:02:02"');
    const r = buildRunbook(lab(text), { labArg: 'lab.yaml', stateDir: 'state' });
    const section = r.chapters.flatMap((c) => c.sections).find((s) => s.id === 'install-not-started')!;
    const md = JSON.stringify(section.blocks);
    expect(md).toContain('this lab does not set it (clusters.harvester.skipChecks is off)');
    const items = section.blocks.flatMap((b) => (b.type === 'list' ? b.items : [])).filter((i) => i.startsWith('`ms02-'));
    expect(items).toEqual([
      "`ms02-1`: CPUs 20 (Harvester: at least 16 CPUs); memory 96GB (Harvester: at least 64GiB); management NIC 2.5 Gb/s (Harvester: at least 10 Gb/s; under it, so this stops the install); install disk 1TB (931 GiB) (Harvester: at least 250 GiB); install device `/dev/nvme0n1` (a kernel name: with several disks their order can change, and the installer may find another disk there).",
      "`ms02-2`: CPUs 12 (Harvester: at least 16 CPUs; under it, so this stops the install); memory 32GB (Harvester: at least 64GiB; under it, so this stops the install); management NIC 2.5 Gb/s (Harvester: at least 10 Gb/s; under it, so this stops the install); install disk 1TB (931 GiB) (Harvester: at least 250 GiB); install device `/dev/nvme0n1` (a kernel name: with several disks their order can change, and the installer may find another disk there).",
      "`ms02-3`: CPUs 20 (Harvester: at least 16 CPUs); memory 96GB (Harvester: at least 64GiB); management NIC 2.5 Gb/s (Harvester: at least 10 Gb/s; under it, so this stops the install); install disk 1TB (931 GiB) (Harvester: at least 250 GiB); install device `/dev/nvme0n1` (a kernel name: with several disks their order can change, and the installer may find another disk there).",
    ]);
    // With the lab's switch on, the same causes read as skipped.
    const skipped = JSON.stringify(buildRunbook(lab(await readFile('examples/genesis/lab.yaml', 'utf8')), { labArg: 'lab.yaml', stateDir: 'state' }).chapters.flatMap((c) => c.sections).find((s) => s.id === 'install-not-started')!.blocks);
    expect(skipped).toContain('management NIC 2.5 Gb/s (Harvester: at least 10 Gb/s; under it, installed anyway: skipChecks is on)');
  });

  it('the Harvester install table and the remedies name the by-id device the config installs to', async () => {
    const text = (await readFile('examples/genesis/lab.yaml', 'utf8')).replace('      - { size: 1TB, type: nvme, path: /dev/nvme0n1 }\n', '      - { size: 1TB, type: nvme, path: /dev/nvme0n1, wwn: eui.0025388b91b4d1a2 }\n');
    const md = renderMarkdown(buildRunbook(lab(text), { labArg: 'lab.yaml', stateDir: 'state' }));
    expect(md).toContain('| `ms02-1` | `02:00:00:00:02:01` | `10.10.10.11` | `/dev/disk/by-id/nvme-eui.0025388b91b4d1a2` | create |');
    expect(md).toContain('| `ms02-2` | `02:00:00:00:02:02` | `10.10.10.12` | `/dev/nvme0n1` | join |');
    expect(md).toContain('Wrong install disk: `ms02-1` → `/dev/disk/by-id/nvme-eui.0025388b91b4d1a2`, `ms02-2` → `/dev/nvme0n1`');
  });
});
