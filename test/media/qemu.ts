// Boots an ISO in QEMU (TCG: KVM does not work on this machine) and returns what the guest
// printed on its serial port. The stand-in's init powers off when done; -no-reboot turns a
// panic into an exit; the timeout bounds everything else. The serial port is a socket the test
// also types into: OVMF's terminal driver reads VT100 keys from it, so a test can pick a
// systemd-boot menu entry the way a person at the console would.
import { execa } from 'execa';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** Once `after` has appeared on the console (after the previous step's match), type `send`. */
export interface KeyStep {
  after: string;
  send: string;
}

/** Keys for systemd-boot's menu (systemd-boot draws "Boot in N s." while it counts down). */
export const SDBOOT_DEFAULT: KeyStep[] = [{ after: 'Boot in', send: '\r' }];
export const SDBOOT_SECOND: KeyStep[] = [
  { after: 'Boot in', send: '\x1b[B' },
  { after: '\x1b[', send: '\r' },
];

async function connectRetry(path: string, ms: number): Promise<Socket> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(path, () => resolve(s));
        s.once('error', reject);
      });
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * `medium` cdrom boots through El Torito; usb attaches the image as a USB stick (what `dd` to a
 * stick gives), booting through the MBR (BIOS) or the GPT ESP (UEFI).
 */
export async function bootSerial(iso: string, mode: 'bios' | 'uefi', medium: 'cdrom' | 'usb' = 'cdrom', timeoutMs = 120_000, keys: KeyStep[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qemu-boot-'));
  try {
    const sock = join(dir, 'serial.sock');
    // wait=on: the guest starts only once the test is connected, so nothing printed is lost.
    const args = ['-accel', 'tcg', '-m', '512', '-display', 'none', '-monitor', 'none', '-no-reboot', '-chardev', `socket,id=ser0,path=${sock},server=on,wait=on`, '-serial', 'chardev:ser0'];
    if (medium === 'cdrom') args.push('-drive', `file=${iso},media=cdrom,readonly=on,format=raw`);
    else args.push('-drive', `file=${iso},if=none,id=stick,readonly=on,format=raw`, '-device', 'qemu-xhci', '-device', 'usb-storage,drive=stick');
    if (mode === 'uefi') {
      const vars = join(dir, 'vars.fd');
      await copyFile(OVMF_VARS, vars);
      args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
    }
    const qemu = execa('qemu-system-x86_64', args, { timeout: timeoutMs, reject: false });
    const serial = await connectRetry(sock, 10_000);
    let out = '';
    let step = 0;
    let from = 0;
    serial.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      while (step < keys.length) {
        const at = out.indexOf(keys[step]!.after, from);
        if (at < 0) break;
        from = at + keys[step]!.after.length;
        serial.write(keys[step]!.send);
        step++;
      }
    });
    serial.on('error', () => undefined);
    await qemu;
    serial.destroy();
    return out.replace(/\r/g, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
