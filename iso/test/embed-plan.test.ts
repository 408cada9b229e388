import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planEmbed } from '../src/embed-plan.js';
import { parseExtensionsYaml } from '../src/extensions-yaml.js';
import { checkBase } from '../src/embed.js';
import { MediaError } from '../src/errors.js';
import { parseVersion, versionFromLabels, versionFromOsRelease } from '../src/talos-version.js';

const v = (t: string) => parseVersion(t)!;
const config = Buffer.from('version: v1alpha1\nmachine:\n  type: controlplane\n');
const sha = createHash('sha256').update(config).digest('hex');
const tools = { image: '0.sqsh', metadata: { name: 'iscsi-tools', version: 'v0.2.0', author: 'Sidero Labs' } };

describe('planEmbed', () => {
  it('builds the embedded-config virtual extension as the imager does', () => {
    const plan = planEmbed({ version: v('v1.12.0'), existingLayers: [], config, epoch: 7 });
    expect(plan.layer).toEqual({
      image: '0.sqsh',
      metadata: { name: 'embedded-config', version: sha, author: 'Imager', description: 'Virtual extension which embeds the machine configuration.', compatibility: { talos: { version: '>= 1.0.0' } } },
    });
    expect(plan.configPath).toBe('usr/local/etc/talos/config.yaml');
    expect(plan.rootfsDirs).toEqual(['usr', 'usr/local', 'usr/local/etc', 'usr/local/etc/talos']);
    // v1.12.x: mode 0000; from v1.13.0 on: 0400; always the STATE SELinux label.
    expect(plan.configMode).toBe(0o000);
    expect(planEmbed({ version: v('v1.12.9'), existingLayers: [], config, epoch: 0 }).configMode).toBe(0o000);
    expect(planEmbed({ version: v('v1.13.0'), existingLayers: [], config, epoch: 0 }).configMode).toBe(0o400);
    expect(plan.configSelinuxLabel).toBe('system_u:object_r:system_state_t:s0');
    expect(plan.squashfsCompression).toBe('zstd');
    expect(plan.archiveCompression).toBe('zstd');
    expect(plan.epoch).toBe(7);
  });

  it('keeps every layer the base had, in order, and lists the new one last', () => {
    const plan = planEmbed({ version: v('v1.12.1'), existingLayers: [tools], config, epoch: 0 });
    expect(plan.layers.map((l) => [l.image, l.metadata.name])).toEqual([
      ['0.sqsh', 'iscsi-tools'],
      ['1.sqsh', 'embedded-config'],
    ]);
    expect(parseExtensionsYaml(plan.extensionsYaml)).toEqual(plan.layers);
  });

  it('replaces an earlier embedded-config layer instead of stacking a second one', () => {
    const old = { image: '1.sqsh', metadata: { name: 'embedded-config', version: 'f'.repeat(64) } };
    const plan = planEmbed({ version: v('v1.12.0'), existingLayers: [tools, old], config, epoch: 0 });
    expect(plan.replaced).toEqual([old]);
    expect(plan.layers.filter((l) => l.metadata.name === 'embedded-config')).toHaveLength(1);
    expect(plan.layer.image).toBe('1.sqsh');
  });

  it('never reuses an image name a kept layer has', () => {
    const plan = planEmbed({ version: v('v1.12.0'), existingLayers: [{ ...tools, image: '1.sqsh' }], config, epoch: 0 });
    expect(plan.layer.image).toBe('2.sqsh');
  });

  it('uses xz for versions before 1.8 (the imager quirk)', () => {
    expect(planEmbed({ version: v('v1.7.6'), existingLayers: [], config, epoch: 0 }).squashfsCompression).toBe('xz');
  });
});

describe('Talos version and Secure Boot from the medium', () => {
  it('reads the imager labels', () => {
    expect(versionFromLabels('Talos-v1.12.0', 'TALOS_V1_12_0')).toEqual({ version: v('v1.12.0'), secureBoot: false });
    expect(versionFromLabels('Talos-SB-v1.12.3', 'TALOS_SB_V1_12_3')).toEqual({ version: v('v1.12.3'), secureBoot: true });
    expect(versionFromLabels('', 'TALOS_V1_11_5').version?.text).toBe('v1.11.5');
    expect(versionFromLabels('', 'ISOIMAGE')).toEqual({ secureBoot: false });
    expect(versionFromOsRelease('NAME="Talos"\nVERSION_ID=v1.12.2\n')?.minor).toBe(12);
  });

  const ok = { bootloader: 'dual-boot' as const, version: v('v1.12.0'), secureBoot: false, secureBootSigns: [], initramfs: '/x', uki: { espPath: '/EFI/Linux/a.efi', file: '/u', pe: {} as never, structure: { base: [{ name: '.initrd', index: 0 }], profiles: [] }, texts: new Map(), signed: false, initrd: '/i' } };
  const refusal = (m: object) => {
    try {
      checkBase({ ...ok, ...m }, 'base.iso');
    } catch (err) {
      return err as MediaError;
    }
    return undefined;
  };

  it('accepts v1.12 and later', () => {
    const checked = checkBase(ok, 'base.iso');
    expect(checked.version.text).toBe('v1.12.0');
    // The result carries the parts the embedder writes, so nothing after it asserts they exist.
    expect([checked.bootloader, checked.initramfs, checked.grub, checked.uki?.initrd]).toEqual(['dual-boot', '/x', true, '/i']);
    expect(checkBase({ ...ok, version: v('v1.13.0-alpha.1') }, 'base.iso').version.minor).toBe(13);
  });
  it("accepts the imager's grub ISO (no UKI) and sd-boot ISO (no /boot tree), each with the initramfs it boots", () => {
    const grub = checkBase({ ...ok, bootloader: 'grub', uki: undefined }, 'base.iso');
    expect([grub.initramfs, grub.grub, grub.uki]).toEqual(['/x', true, undefined]);
    // sd-boot: the layer goes onto the UKI's .initrd, the only initramfs the ISO boots.
    const sd = checkBase({ ...ok, bootloader: 'sd-boot', initramfs: undefined }, 'base.iso');
    expect([sd.initramfs, sd.grub, sd.uki?.espPath]).toEqual(['/i', false, '/EFI/Linux/a.efi']);
    expect(refusal({ bootloader: 'sd-boot', uki: undefined })?.message).toContain('has no UKI in EFI/Linux');
    expect(refusal({ bootloader: 'grub', initramfs: undefined })?.message).toContain('no /boot/initramfs.xz');
    expect(refusal({ bootloader: undefined })?.message).toContain('has neither /boot/grub/grub.cfg nor an EFI system partition');
  });
  it('refuses Secure Boot images, saying what to use instead', () => {
    const e = refusal({ secureBoot: true, secureBootSigns: ['volume label Talos-SB-v1.12.0'] });
    expect(e?.code).toBe('secure-boot');
    expect(e?.message).toContain('Secure Boot');
    expect(e?.hint).toContain('metal-amd64.iso');
  });
  it('refuses Talos older than v1.12', () => {
    const e = refusal({ version: v('v1.11.5') });
    expect(e?.code).toBe('too-old');
    expect(e?.message).toContain('v1.11.5');
    expect(e?.hint).toMatch(/v1\.12/);
  });
});
