// Boots a stick in QEMU (TCG; KVM does not work here) as a virtio disk with user networking (the
// guest reaches the host's 127.0.0.1 as 10.0.0.1, the next hop of the example gateway's uplink: its config gives eth0 10.0.0.2/30) and watches the serial console until `done`
// says enough was seen, or the time runs out. Returns everything the guest printed.
import { execa } from 'execa';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** `nics`: how many NICs (eth0 on the user network; the others on restricted user networks that reach nothing). */
export async function bootStick(image: string, mode: 'bios' | 'uefi', done: (serial: string) => boolean, timeoutMs: number, nics = 1): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-qemu-'));
  const args = [
    '-accel', 'tcg', '-m', '1024', '-display', 'none', '-monitor', 'none', '-no-reboot', '-serial', 'stdio',
    '-drive', `file=${image},if=virtio,format=raw,readonly=on`,
    '-netdev', 'user,id=n0,net=10.0.0.0/24,host=10.0.0.1', '-device', 'virtio-net-pci,netdev=n0',
  ];
  for (let i = 1; i < nics; i++) args.push('-netdev', `user,id=n${i},restrict=on`, '-device', `virtio-net-pci,netdev=n${i}`);
  if (mode === 'uefi') {
    const vars = join(dir, 'vars.fd');
    await copyFile(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
  }
  let serial = '';
  const child = execa('qemu-system-x86_64', args, { reject: false, stdin: 'ignore', buffer: false });
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const check = () => {
        if (done(serial)) {
          clearTimeout(timer);
          resolve();
        }
      };
      const poll = setInterval(check, 500);
      child.stdout!.on('data', (d: Buffer) => {
        serial += d.toString('utf8').replace(/\r/g, '');
        check();
      });
      void child.then(() => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      });
      timer.unref?.();
      const stop = () => clearInterval(poll);
      child.once('exit', stop);
      setTimeout(stop, timeoutMs + 1000).unref?.();
    });
  } finally {
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  return serial;
}
