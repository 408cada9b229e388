import type { VmPlan } from './plan.js';

/** Firmware files of Debian's ovmf and seabios packages. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const SEABIOS = '/usr/share/seabios/bios-256k.bin';

export interface VmFiles {
  /** This VM's copy of the OVMF variable store (UEFI only). */
  varsFile: string;
  serialLog: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  /** The sparse raw file behind the VM's disk, when it has one. */
  diskFile?: string;
}

/**
 * The QEMU command line of one rehearsal VM (pure). The demo payload is booted by the firmware
 * the lab names (OVMF for `uefi`, SeaBIOS for `bios`) through QEMU's direct kernel boot; the
 * NICs carry the lab's MACs on the links `plan.ts` laid out. No option ROM: nothing here boots
 * from the network through QEMU's iPXE.
 */
export function qemuArgs(vm: VmPlan, files: VmFiles): string[] {
  const args = ['-name', `rehearsal-${vm.host}`, '-accel', 'tcg', '-m', String(vm.memoryMb), '-smp', '1', '-display', 'none', '-monitor', 'none', '-nodefaults', '-no-reboot', '-serial', `file:${files.serialLog}`];
  if (vm.firmware === 'uefi') args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${files.varsFile}`);
  else args.push('-bios', SEABIOS);
  vm.nics.forEach((nic, i) => {
    const l = nic.link;
    // A cable is UDP between two ports of the lab namespace's loopback; QEMU sends each frame as one datagram.
    const netdev = l.kind === 'tap' ? `tap,id=n${i},ifname=${l.ifname},script=no,downscript=no` : `dgram,id=n${i},local.type=inet,local.host=127.0.0.1,local.port=${l.localPort},remote.type=inet,remote.host=127.0.0.1,remote.port=${l.remotePort}`;
    args.push('-netdev', netdev, '-device', `virtio-net-pci,netdev=n${i},mac=${nic.mac},romfile=`);
  });
  if (vm.disk && files.diskFile) {
    args.push('-drive', `file=${files.diskFile},if=none,id=d0,format=raw`);
    args.push('-device', vm.disk.bus === 'nvme' ? `nvme,drive=d0,serial=demo-${vm.host}` : 'virtio-blk-pci,drive=d0');
  }
  args.push('-kernel', files.kernel, '-initrd', files.initrd, '-append', files.cmdline);
  return args;
}
