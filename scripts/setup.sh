#!/bin/sh
# Installs what is missing for the README's two commands: npm packages (npm ci, when the lock
# changed or node_modules is absent) and the Debian packages the tools and tests drive.
# As root it runs apt-get itself; otherwise it prints the exact line to run and stops.
set -eu
cd "$(dirname "$0")/.."
mode="${1:-test}"

# Debian packages by the commands they provide (command:package).
base="xorriso:xorriso mformat:mtools mkfs.vfat:dosfstools mksquashfs:squashfs-tools unsquashfs:squashfs-tools cpio:cpio xz:xz-utils zstd:zstd"
tests="qemu-system-x86_64:qemu-system-x86 objcopy:binutils python3:python3 dpkg-deb:dpkg busybox:busybox-static grub-mkrescue:grub-common sshd:openssh-server radvd:radvd tftp:tftp-hpa in.tftpd:tftpd-hpa chromium:chromium udhcpc:udhcpc dhclient:isc-dhcp-client ip:iproute2 nginx:nginx-light dhcrelay:isc-dhcp-relay zsh:zsh tmux:tmux"
files="/usr/lib/grub/i386-pc/moddep.lst:grub-pc-bin /usr/lib/grub/x86_64-efi/moddep.lst:grub-efi-amd64-bin /usr/share/OVMF/OVMF_CODE.fd:ovmf /usr/share/OVMF/OVMF_CODE_4M.fd:ovmf /usr/share/seabios/bios-256k.bin:seabios /usr/lib/ipxe/qemu/efi-e1000.rom:ipxe-qemu /usr/lib/ipxe/ipxe.efi:ipxe /usr/lib/systemd/boot/efi/linuxx64.efi.stub:systemd-boot-efi /usr/lib/ISOLINUX/isolinux.bin:isolinux /usr/lib/syslinux/modules/bios/menu.c32:syslinux-common"

# What `builder rehearse --demo` drives (the main job ends with it): QEMU, busybox and curl for the
# demo payloads, dpkg-deb for the Debian kernel, iproute2 for the namespaces, dropbear for the
# demo Harvester node's SSH, mtools for its image's ESP.
rehearse="qemu-system-x86_64:qemu-system-x86 busybox:busybox-static curl:curl dpkg-deb:dpkg ip:iproute2 dropbear:dropbear-bin mformat:mtools"
rehearse_files="/usr/share/OVMF/OVMF_CODE_4M.fd:ovmf /usr/share/seabios/bios-256k.bin:seabios"

want="$base $rehearse"
checked="$rehearse_files"
# Without root the example skips the rehearsal (it creates namespaces), so it needs only the base.
if [ "$mode" = example ] && [ "$(id -u)" != 0 ]; then want="$base"; checked=""; fi
[ "$mode" = test ] && want="$base $rehearse $tests"
missing=""
for pair in $want; do
  cmd="${pair%%:*}"; pkg="${pair#*:}"
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ] && ! [ -x "/sbin/$cmd" ]; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done
[ "$mode" = test ] && checked="$rehearse_files $files"
if [ -n "$checked" ]; then
  for pair in $checked; do
    f="${pair%%:*}"; pkg="${pair#*:}"
    [ -e "$f" ] || missing="$missing $pkg"
  done
fi

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "setup: these Debian packages are missing. Run, then try again:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
