import type { Lab } from '@lab/shared';
import { controlPlaneAddresses, etcdStart, prelude, TALOS_INSTALL } from './scripts.js';
import { talosRunningScript } from './talos-running.js';

/**
 * The init of the demo Talos base ISO's initramfs (busybox sh, pure text): one for every
 * USB-booted Talos host of the lab, at whatever the firmware booted (systemd-boot and the UKI, or
 * GRUB). As Talos's init does with system extensions: read /extensions.yaml, loop-mount every
 * listed squashfs layer, and take the machine config the embedded-config layer holds
 * (usr/local/etc/talos/config.yaml, Talos's embedded config source). Everything else comes from
 * that config, as Talos takes it: the hostname (HostnameConfig), the links (LinkAliasConfig by
 * MAC, LinkConfig and VLANConfig addresses and routes), the sink (EventSinkConfig), the install
 * disk selector (machine.install). Then the install body every demo Talos node runs and, with its
 * disk, the node running from it (talos-running.ts). The prepared event frames were built for
 * the lab's hosts (under /talos/<hostname>); the node picks its own by the config's hostname.
 * Without an embedded config it stays where Talos would: maintenance mode.
 */
export function talosUsbScript(lab: Lab, hosts: string[], modules: string[]): string {
  const running = (etcdFor: string) => talosRunningScript('$node_name', '$node_ip', lab.clusters.platform?.talos ?? 'v1.12.0', etcdStart(lab, etcdFor));
  // The platform's first host bootstraps etcd, any other control plane joins its peers.
  const first = lab.clusters.platform?.hosts[0];
  const branches = [...(first && hosts.includes(first) ? [`${first})`, running(first), ';;'] : []), ...(hosts.some((h) => h !== first) ? ['*)', talosRunningScript('$node_name', '$node_ip', lab.clusters.platform?.talos ?? 'v1.12.0', { peers: controlPlaneAddresses(lab) }), ';;'] : [])];
  return [
    prelude({ host: 'the host this stick boots' }, 'demo Talos node from the demo Talos base ISO (the sink protocol and event order of Talos v1.12, etcd waiting for Bootstrap, a kubelet registering its Node; no containers, etcd or real install)', modules, '/dev/ttyS0'),
    BOOT_PATH,
    LAYERS,
    `cfg=/usr/local/etc/talos/config.yaml
if [ ! -f $cfg ]; then echo "demo: no embedded config: Talos would stay in maintenance mode"; while :; do sleep 3600; done; fi
echo "demo: embedded config found: $cfg (sha256 $(sha256sum $cfg | cut -d' ' -f1))"
node_name=$(awk '/^---/{f=0} /^kind: HostnameConfig/{f=1} f&&/^hostname:/{print $2; exit}' $cfg)
sink=$(awk '/^---/{f=0} /^kind: EventSinkConfig/{f=1} f&&/^endpoint:/{print $2; exit}' $cfg)
ev=/talos/$node_name
[ -d $ev ] || { echo "demo: this demo base was built for another lab: no prepared events for host $node_name"; while :; do sleep 3600; done; }`,
    LINKS,
    `node_ip=$(awk '/^---/{f=0} /^kind: (LinkConfig|VLANConfig)/{f=1} f&&/^ *- address:/{print $NF; exit}' $cfg); node_ip=\${node_ip%/*}`,
    TALOS_INSTALL,
    `[ -n "$disk" ] || { while :; do sleep 3600; done; }`,
    `case "$node_name" in`,
    ...branches,
    'esac',
    'echo "demo: up"',
    'while :; do sleep 3600; done',
    '',
  ].join('\n');
}

/**
 * What booted it, as the boot manager and stub record it in EFI variables (systemd's Boot Loader
 * Interface: LoaderInfo and LoaderEntrySelected from systemd-boot, StubInfo from systemd-stub).
 */
const BOOT_PATH = `efivar() { f=$(ls /sys/firmware/efi/efivars/$1-* 2>/dev/null | head -n 1); [ -n "$f" ] && tail -c +5 "$f" | tr -d '\\000'; }
if [ -d /sys/firmware/efi ]; then
  mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
  echo "demo: booted by $(efivar LoaderInfo || echo 'an EFI boot manager') entry $(efivar LoaderEntrySelected || echo '?') through $(efivar StubInfo || echo 'no systemd-stub')"
else
  echo "demo: booted by a BIOS boot loader (GRUB)"
fi`;

/** Talos's extensions: every layer /extensions.yaml lists, loop-mounted; the config an extension provides. */
const LAYERS = `mkdir -p /ext /usr/local/etc/talos
if [ -f /extensions.yaml ]; then
  for img in $(sed -n 's/^[ -]*image: *//p' /extensions.yaml); do
    mkdir -p /ext/$img
    if mount -t squashfs -o loop,ro /$img /ext/$img; then echo "demo: extension layer $img mounted"; else echo "demo: extension layer $img failed to mount"; fi
  done
  for d in /ext/*; do [ -f $d/usr/local/etc/talos/config.yaml ] && cp $d/usr/local/etc/talos/config.yaml /usr/local/etc/talos/config.yaml; done
fi`;

/**
 * The links of the config: LinkAliasConfig names a link by its MAC; LinkConfig and VLANConfig
 * (parent, vlanID) bring it up with their addresses and routes' gateway.
 */
const LINKS = `mkdir -p /tmp/links
awk 'function out() { if (kind=="LinkAliasConfig" && mac!="") print "alias", name, mac; if (kind=="LinkConfig") print "link", name, "-", "-", (addr==""?"-":addr), (gw==""?"-":gw); if (kind=="VLANConfig") print "vlan", name, parent, vid, (addr==""?"-":addr), (gw==""?"-":gw); kind=""; name=""; mac=""; addr=""; gw=""; parent=""; vid="" }
/^---/ { out(); next }
/^kind:/ { kind=$2 }
/^name:/ { name=$2 }
/^parent:/ { parent=$2 }
/^vlanID:/ { vid=$2 }
/^ *match:/ { if (match($0, /[0-9a-fA-F][0-9a-fA-F](:[0-9a-fA-F][0-9a-fA-F])+/)) mac=tolower(substr($0, RSTART, RLENGTH)) }
/^ *- address:/ { if (addr=="") addr=$NF }
/^ *(- )?gateway:/ { if (gw=="") gw=$NF }
END { out() }' $cfg > /tmp/links.txt
while read k n p v a g; do
  case $k in
    alias) d=$(devof $p); [ -n "$d" ] && echo $d > /tmp/links/$n ;;
    link) d=$(cat /tmp/links/$n 2>/dev/null || echo $n) ;;
    vlan) pd=$(cat /tmp/links/$p 2>/dev/null || echo $p); ip link set $pd up; d=$pd.$v; ip link add link $pd name $d type vlan id $v ;;
  esac
  [ $k = alias ] && continue
  ip link set $d up
  [ "$a" != - ] && ip addr add $a dev $d && echo "demo: $d takes $a from its config"
  [ "$g" != - ] && ip route replace default via $g
done < /tmp/links.txt`;
