/**
 * The boot side of the demo VyOS base (pure text): what VyOS's live-build ISO boots with, and
 * live-boot's part of the boot. Facts from vyos-build (live-build with `syslinux,grub-efi` on
 * amd64: ISOLINUX for BIOS, GRUB's efi.img for UEFI; "Live system" entries) and live-boot
 * (the medium on /run/live/medium, reachable as /usr/lib/live/mount/medium; the images of live/
 * stacked under one overlay, chosen by `module=NAME` through live/filesystem.NAME.module or
 * live/NAME.module, else every live/*.squashfs sorted; a name it cannot mount is a panic).
 */

/** Marks the demo wherever it shows: the ISO's volume id, /.disk/info, the console. */
export const DEMO_VYOS_VOLUME_ID = 'VyOS-DEMO';
export const DEMO_VYOS_RELEASE = '2025.11';
export const DEMO_VYOS_DISK_INFO = `VyOS DEMO base ${DEMO_VYOS_RELEASE} (built by builder from Debian parts; not VyOS)\n`;

/** The kernel line of the live entries, shaped like VyOS's (serial console for the rehearsal's log). */
export const DEMO_VYOS_LIVE_ARGS =
  'boot=live components hostname=vyos username=live nopersistence noautologin nonetworking union=overlay console=ttyS0,115200 net.ifnames=0 biosdevname=0 panic=-1';

/** /init of the initramfs: live-boot's job, in busybox sh. `modules`: file names under /lib/modules, in load order. */
export function liveBootInit(modules: string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >/dev/ttyS0 2>&1
for m in ${modules.join(' ')}; do insmod /lib/modules/$m || echo "demo live-boot: insmod $m failed"; done
echo "DEMO-LIVE-BOOT (VyOS demo base: live-boot's medium and layers, in busybox)"
MODULE=filesystem
for x in $(cat /proc/cmdline); do
  case "$x" in module=*) MODULE="\${x#module=}" ;; esac
done
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/live/medium /run/live/rootfs /run/live/overlay
found=""
for i in 1 2 3 4 5 6 7 8 9 10; do
  for d in /dev/vd? /dev/sd? /dev/sr?; do
    [ -b "$d" ] || continue
    if mount -t iso9660 -o ro "$d" /run/live/medium 2>/dev/null; then
      if [ -f /run/live/medium/live/filesystem.squashfs ]; then found="$d"; break 2; fi
      umount /run/live/medium
    fi
  done
  sleep 1
done
[ -n "$found" ] || { echo "DEMO-NO-MEDIUM"; poweroff -f; }
echo "MEDIUM $found"
L=/run/live/medium/live
if [ -e "$L/filesystem.$MODULE.module" ]; then images=$(for i in $(cat "$L/filesystem.$MODULE.module"); do echo "$L/$i"; done)
elif [ -e "$L/$MODULE.module" ]; then images=$(for i in $(cat "$L/$MODULE.module"); do echo "$L/$i"; done)
else images=$(ls "$L"/*.squashfs | sort)
fi
lower=""
for img in $images; do
  name=$(basename "$img")
  case "$img" in
    *.squashfs) ;;
    *) echo "PANIC Unrecognized live filesystem: $img"; poweroff -f ;;
  esac
  mkdir -p "/run/live/rootfs/$name"
  mount -t squashfs -o loop,ro "$img" "/run/live/rootfs/$name" || { echo "LAYER-FAILED $name"; poweroff -f; }
  echo "LAYER $name"
  if [ -z "$lower" ]; then lower="/run/live/rootfs/$name"; else lower="/run/live/rootfs/$name:$lower"; fi
done
mkdir -p /run/live/overlay/rw /run/live/overlay/work /root
mount -t overlay overlay -o "lowerdir=$lower,upperdir=/run/live/overlay/rw,workdir=/run/live/overlay/work" /root || { echo "OVERLAY-FAILED"; poweroff -f; }
mkdir -p /root/run /root/proc /root/sys /root/dev
mount --move /run /root/run
mount --move /dev /root/dev
mount --move /proc /root/proc
mount --move /sys /root/sys
exec switch_root /root /sbin/init
`;
}

/** live-build's grub.cfg for VyOS: default 0, serial terminal, two live entries. */
export function demoGrubCfg(): string {
  return [
    'set default=0',
    'set timeout=1',
    '',
    'insmod serial',
    'serial --unit=0 --speed=115200',
    'terminal_output --append serial',
    'terminal_input serial console',
    '',
    '# Live boot (VyOS DEMO base)',
    'menuentry "Live system (amd64, VyOS DEMO base)" --hotkey=l {',
    `\tlinux\t/live/vmlinuz ${DEMO_VYOS_LIVE_ARGS}`,
    '\tinitrd\t/live/initrd.img',
    '}',
    'menuentry "Live system (amd64 fail-safe mode, VyOS DEMO base)" {',
    `\tlinux\t/live/vmlinuz ${DEMO_VYOS_LIVE_ARGS} memtest noapic noapm nodma nomce nolapic nosmp nosplash vga=788`,
    '\tinitrd\t/live/initrd.img',
    '}',
    '',
  ].join('\n');
}

/** ISOLINUX menu as live-build writes it for `--bootloaders syslinux,grub-efi` (isolinux/live.cfg). */
export function demoIsolinuxLiveCfg(): string {
  return [
    'label live-amd64',
    '\tmenu label ^Live system (amd64, VyOS DEMO base)',
    '\tmenu default',
    '\tlinux /live/vmlinuz',
    '\tinitrd /live/initrd.img',
    `\tappend ${DEMO_VYOS_LIVE_ARGS}`,
    '',
    'label live-amd64-failsafe',
    '\tmenu label ^Live system (amd64 fail-safe mode, VyOS DEMO base)',
    '\tlinux /live/vmlinuz',
    '\tinitrd /live/initrd.img',
    `\tappend ${DEMO_VYOS_LIVE_ARGS} memtest noapic noapm nodma nomce nolapic nosmp nosplash vga=788`,
    '',
  ].join('\n');
}

export const DEMO_ISOLINUX_CFG = 'serial 0 115200\nui menu.c32\nprompt 0\ntimeout 10\ninclude live.cfg\n';

/** The GRUB EFI loader live-build puts in boot/grub/efi.img: find the ISO by a file on it, read its /boot/grub/grub.cfg. */
export const DEMO_EFI_EMBEDDED_CFG = 'search --file --set=root /.disk/info\nset prefix=($root)/boot/grub\nconfigfile ($root)/boot/grub/grub.cfg\n';

/** VyOS's /opt/vyatta/etc/config/scripts/vyos-postconfig-bootup.script as a fresh image has it. */
export const DEMO_POSTCONFIG = `#!/bin/sh
# This script is executed at boot time after VyOS configuration is fully applied.
# Any modifications required to work around unfixed bugs
# or use services not available through the VyOS CLI system can be placed here.
`;

/** /opt/vyatta/etc/config.boot.default: what VyOS boots without a config (its footer: the release's versions). */
export const DEMO_CONFIG_BOOT_DEFAULT = `interfaces {
    loopback lo {
    }
}
system {
    host-name "vyos"
}
// Warning: Do not remove the following line.
// vyos-config-version: "bgp@5:broadcast-relay@1:cluster@2:config-management@1:conntrack@5:conntrack-sync@2:container@2:dhcp-relay@2:dhcp-server@8:dhcpv6-server@1:dns-dynamic@4:dns-forwarding@4:firewall@16:flow-accounting@1:https@6:ids@1:interfaces@32:ipoe-server@3:ipsec@13:isis@3:l2tp@9:lldp@2:mdns@1:monitoring@1:nat@8:nat66@3:ntp@3:openconnect@3:ospf@2:pim@1:policy@8:pppoe-server@10:pptp@5:qos@2:quagga@11:reverse-proxy@1:rip@1:rpki@2:salt@1:snmp@3:ssh@2:sstp@6:system@27:vrf@3:vrrp@4:vyos-accel-ppp@2:wanloadbalance@3:webproxy@2"
// Release version: ${DEMO_VYOS_RELEASE}
`;
