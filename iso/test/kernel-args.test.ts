import { describe, expect, it } from 'vitest';
import { grubEntries } from '../src/boot-entries.js';
import { grubWithKernelArgs, reportKernelArgs, withKernelArgs } from '../src/kernel-args.js';

const ARGS = reportKernelArgs('10.10.10.5:4001', 'tcp://10.10.10.5:4002/');

// pkg/imager/iso/grub.cfg as the imager renders it (dual-boot, Reset entry).
const GRUB = `set default=0
set timeout=3

menuentry "Talos ISO" {
\tset gfxpayload=text
\tlinux /boot/vmlinuz talos.platform=metal console=ttyS0 talos.halt_if_installed=1
\tinitrd /boot/initramfs.xz
}

menuentry "Reset Talos installation" {
\tlinux /boot/vmlinuz talos.platform=metal console=ttyS0 talos.halt_if_installed=1 talos.experimental.wipe=system
\tinitrd /boot/initramfs.xz
}
`;

describe('kernel arguments for early reports', () => {
  it('appends the arguments, replacing earlier ones with the same key (a rebuild does not stack them)', () => {
    expect(withKernelArgs('console=ttyS0 talos.events.sink=1.2.3.4:1', ARGS)).toBe(`console=ttyS0 ${ARGS.join(' ')}`);
    expect(withKernelArgs(withKernelArgs('a=1', ARGS), ARGS)).toBe(`a=1 ${ARGS.join(' ')}`);
    expect(withKernelArgs('a=1 ', [])).toBe('a=1 ');
  });

  it('adds them to every GRUB linux line and nothing else', () => {
    const { text, entries } = grubWithKernelArgs(GRUB, ARGS);
    expect(entries).toBe(2);
    const shown = grubEntries(text);
    expect(shown.map((e) => e.title)).toEqual(['Talos ISO', 'Reset Talos installation']);
    for (const e of shown) expect(e.cmdline.endsWith(ARGS.join(' '))).toBe(true);
    expect(shown[1]!.cmdline).toContain('talos.experimental.wipe=system');
    expect(text.split('\n').filter((l) => !/linux/.test(l))).toEqual(GRUB.split('\n').filter((l) => !/linux/.test(l)));
  });
});
