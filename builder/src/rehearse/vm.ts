import type { VmPlan } from './plan.js';

/** Firmware files of Debian's ovmf and seabios packages. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const SEABIOS = '/usr/share/seabios/bios-256k.bin';

export interface VmFiles {
  /** This VM's copy of the OVMF variable store (UEFI only). */
  varsFile: string;
  serialLog: string;
  /** Direct kernel boot (a VM that boots from the lab's USB stick, stood in by the payload); absent for a PXE boot. */
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  /** The stick `make-usb` built, attached as a USB disk the firmware boots first (a USB-booted host). */
  usbStick?: string;
  /** The sparse raw file behind the VM's disk, when it has one. */
  diskFile?: string;
  /**
   * A stick make-usb built, attached as a virtio disk the firmware boots first (bootindex 0). Not
   * USB: the live system on it must find its medium again after boot, and the demo kernel
   * (Debian's cloud kernel) has virtio but no USB drivers.
   */
  virtioStick?: string;
}

/**
 * The QEMU command line of one rehearsal VM (pure). The demo payload is booted by the firmware
 * the lab names (OVMF for `uefi`, SeaBIOS for `bios`) through QEMU's direct kernel boot; the
 * NICs carry the lab's MACs on the links `plan.ts` laid out. A host the lab boots by PXE boots
 * from its first NIC by its firmware's own PXE: OVMF with the NIC's option ROM disabled
 * (`romfile=` empty: EDK2's UefiPxeBcDxe, not QEMU's iPXE, reads the offers), SeaBIOS with
 * QEMU's iPXE ROM (SeaBIOS has no PXE of its own). Other NICs carry no ROM.
 */
export function qemuArgs(vm: VmPlan, files: VmFiles): string[] {
  // A Harvester host reboots after its install (cos-installer-shutdown) and must come back; every
  // other demo VM stops on a reboot or panic, so its phase sees it dead.
  const reboots = vm.role === 'harvester' && vm.boot === 'pxe';
  const args = ['-name', `rehearsal-${vm.host}`, '-accel', 'tcg', '-m', String(vm.memoryMb), '-smp', '1', '-display', 'none', '-monitor', 'none', '-nodefaults', ...(reboots ? [] : ['-no-reboot']), '-serial', `file:${files.serialLog}`];
  if (vm.firmware === 'uefi') args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${files.varsFile}`);
  // SeaBIOS named with -bios ran no NIC ROM here: a BIOS PXE guest takes QEMU's default SeaBIOS.
  else if (vm.boot !== 'pxe') args.push('-bios', SEABIOS);
  // The NIC's bootindex covers every boot option OVMF makes for it (PXEv4, PXEv6, HTTPv4, HTTPv6),
  // tried in turn before the disk once iPXE exits; without IPv6 (as an MS-02's BIOS network stack
  // is set to IPv4) it is PXEv4 and HTTPv4 only: OVMF's Ip6Dxe honours opt/org.tianocore/IPv6Support
  // (edk2 OvmfPkg/NetworkComponents.dsc.inc), and the agent answers both with iPXE, which exits.
  if (vm.firmware === 'uefi' && reboots) args.push('-fw_cfg', 'name=opt/org.tianocore/IPv6Support,string=no');
  const pxe = vm.boot === 'pxe';
  vm.nics.forEach((nic, i) => {
    const l = nic.link;
    // A cable is UDP between two ports of the lab namespace's loopback; QEMU sends each frame as one datagram.
    const netdev = l.kind === 'tap' ? `tap,id=n${i},ifname=${l.ifname},script=no,downscript=no` : `dgram,id=n${i},local.type=inet,local.host=127.0.0.1,local.port=${l.localPort},remote.type=inet,remote.host=127.0.0.1,remote.port=${l.remotePort}`;
    const rom = pxe && i === 0 ? (vm.firmware === 'bios' ? ',bootindex=1' : ',romfile=,bootindex=1') : ',romfile=';
    args.push('-netdev', netdev, '-device', `virtio-net-pci,netdev=n${i},mac=${nic.mac}${rom}`);
  });
  if (vm.disk && files.diskFile) {
    args.push('-drive', `file=${files.diskFile},if=none,id=d0,format=raw`);
    // After the NIC in the boot order: OVMF keeps only the boot options QEMU's bootorder names
    // (edk2 OvmfPkg/Library/QemuBootOrderLib), and tries the disk once iPXE `exit`s.
    const order = pxe ? ',bootindex=2' : '';
    args.push('-device', vm.disk.bus === 'nvme' ? `nvme,drive=d0,serial=demo-${vm.host}${order}` : `virtio-blk-pci,drive=d0${order}`);
  }
  // The stick as `dd` writes it to a USB drive: usb-storage on an xHCI controller, first in the boot order.
  if (files.usbStick) args.push('-drive', `file=${files.usbStick},if=none,id=stick,format=raw,readonly=on`, '-device', 'qemu-xhci', '-device', 'usb-storage,drive=stick,bootindex=1');
  if (files.virtioStick) args.push('-drive', `file=${files.virtioStick},if=none,id=stick,format=raw,readonly=on`, '-device', 'virtio-blk-pci,drive=stick,bootindex=0');
  if (files.kernel && files.initrd) args.push('-kernel', files.kernel, '-initrd', files.initrd, '-append', files.cmdline ?? '');
  return args;
}
