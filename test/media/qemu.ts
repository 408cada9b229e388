// Boots an ISO in QEMU (TCG: KVM does not work on this machine) and returns what the guest
// printed on its serial port. The stand-in's init powers off when done; -no-reboot turns a
// panic into an exit; the timeout bounds everything else.
import { execa } from 'execa';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/**
 * `medium` cdrom boots through El Torito; usb attaches the image as a USB stick (what `dd` to a
 * stick gives), booting through the MBR (BIOS) or the GPT ESP (UEFI).
 */
export async function bootSerial(iso: string, mode: 'bios' | 'uefi', medium: 'cdrom' | 'usb' = 'cdrom', timeoutMs = 120_000): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qemu-boot-'));
  try {
    const log = join(dir, 'serial.log');
    const args = ['-accel', 'tcg', '-m', '512', '-display', 'none', '-monitor', 'none', '-no-reboot', '-serial', `file:${log}`];
    if (medium === 'cdrom') args.push('-drive', `file=${iso},media=cdrom,readonly=on,format=raw`);
    else args.push('-drive', `file=${iso},if=none,id=stick,readonly=on,format=raw`, '-device', 'qemu-xhci', '-device', 'usb-storage,drive=stick');
    if (mode === 'uefi') {
      const vars = join(dir, 'vars.fd');
      await copyFile(OVMF_VARS, vars);
      args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
    }
    await execa('qemu-system-x86_64', args, { timeout: timeoutMs, reject: false });
    return (await readFile(log, 'utf8').catch(() => '')).replace(/\r/g, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
