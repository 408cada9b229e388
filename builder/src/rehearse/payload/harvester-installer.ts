/**
 * The demo Harvester installer's init script (busybox sh, pure): one initramfs for every
 * Harvester host, served by the PXE service where the rendered iPXE script names the installer's
 * initrd. Like harvester-installer v1.5.0 it learns everything from its kernel line and the
 * config it fetches, and reports only through the config's `install.webhooks`:
 *   - `ip=dhcp`: a DHCP lease on the NIC it booted from (the PXE service's full-mode DHCP);
 *   - `root=live:URL`: dracut's livenet fetches the live root before the installer runs (the
 *     demo fetches the file at that URL, a placeholder labelled demo);
 *   - `harvester.install.config_url=URL`: the config; a failed fetch or a config that is not
 *     automatic sends nothing (the real installer stops before any webhook);
 *   - then doInstall's order (pkg/console/util.go): STARTED; the disk install (`harv-install`),
 *     FAILED when it fails (the demo: when install.device is no block device); SUCCEEDED once
 *     the disk is written, before the reboot (`cos-installer-shutdown`).
 * Webhooks as pkg/console/webhooks.go sends them: per event in list order, the method, every
 * header value, the payload rendered from the Go template over Hostname, MACAddr and IPAddrV4
 * (MACAddr and IPAddrV4 are read from mgmt-br, which does not exist yet during an automatic
 * install with a static address: empty), no body when the payload is empty, 15 s timeout,
 * retried up to 3 times 5 s apart on a timeout only; a status outside 200–399 or an error ends
 * that event's remaining webhooks.
 *   The disk install fetches `install.iso_url` (harv-install's get_iso) and writes it to the
 *   device; the demo's ISO is the installed disk image itself (installed-image.ts), and the
 *   fetched config is kept on its COS_OEM partition as /oem/harvester.config (save_configs).
 *   After SUCCEEDED, cos-installer-shutdown reboots: `reboot -f`.
 * Not modelled (the demo says so on its console): the preflight checks when the config does not
 * skip them (the demo VM's 1 vCPU and 256 MiB are not the machine's), the ISO's contents and the
 * elemental install (partitions COS_STATE, COS_PERSISTENT, the OS image), RKE2 and the Harvester
 * cluster itself (harvester-node.ts stands in for the installed node).
 */
/**
 * Reading the Harvester config with busybox (the installer and the installed node share it):
 * `top SECTION KEY` a scalar two levels deep, `mgmt KEY` one of install.management_interface,
 * `items SECTION KEY` a list's items, `oem_partition` the GPT partition named COS_OEM,
 * `mgmt_up` the management interface as the config gives it (a VLAN on the NIC with hwAddr).
 * $CONFIG names the file.
 */
export const HARVESTER_CONFIG_SH = `unq() { sed -e "s/^'\\(.*\\)'$/\\1/" -e "s/''/'/g" -e 's/^"\\(.*\\)"$/\\1/'; }
top() { awk -v s="$1" -v k="$2" '/^[^ #]/{f=($0==s":")} f&&$0~"^  "k":"{sub("^  "k": *",""); print; exit}' $CONFIG | unq; }
items() { awk -v s="$1" -v k="$2" '/^[^ #]/{f=($0==s":")} f&&$0=="  "k":"{m=1;next} m&&!/^    - /{m=0} m{sub(/^    - /,""); print}' $CONFIG | unq; }
mgmt() { awk -v k="$1" '/^install:/{f=1} /^[^ ]/&&!/^install:/{f=0} f&&/^  management_interface:/{m=1;next} m&&/^  [^ ]/{m=0} m&&$0~"^ +-? *"k":"{sub("^ +-? *"k": *",""); print; exit}' $CONFIG | unq; }
oem_partition() { for u in /sys/class/block/*/uevent; do grep -qx 'PARTNAME=COS_OEM' $u && { d=\${u%/uevent}; echo \${d##*/}; return; }; done; }
mgmt_up() {
  hw=$(mgmt hwAddr); vid=$(mgmt vlan_id); addr=$(mgmt ip); mask=$(mgmt subnet_mask); gw=$(mgmt gateway)
  dev=""; for d in /sys/class/net/*; do [ "$(cat $d/address)" = "$hw" ] && dev=\${d##*/}; done
  [ -n "$dev" ] && [ -n "$addr" ] || return 1
  ip link set $dev up
  ip route flush default 2>/dev/null
  if [ -n "$vid" ]; then ip link add link $dev name $dev.$vid type vlan id $vid; ip link set $dev.$vid up; dev=$dev.$vid; fi
  ip addr add $addr/$(echo $mask | awk -F. '{n=0; for(i=1;i<=4;i++){x=$i; while(x){n+=x%2; x=int(x/2)}} print n}') dev $dev
  [ -n "$gw" ] && ip route replace default via $gw
  echo "demo: management interface $dev $addr"
}
`;

export function harvesterInstallerScript(modules: string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The rendered kernel line says console=tty1 (the MS-02's screen); the demo's log is its serial port.
exec >/dev/ttyS0 2>&1
echo "demo: Harvester installer stand-in (harvester-installer v1.5 webhook order; no preflight checks)"
for m in ${modules.join(' ')}; do insmod /lib/modules/$m || echo "demo: insmod $m failed"; done
ip link set lo up
arg() { tr ' ' '\\n' </proc/cmdline | sed -n "s/^$1=//p" | head -n 1; }
idle() { echo "demo: $1"; while :; do sleep 3600; done; }
config_url=$(arg harvester.install.config_url)
live=$(arg root | sed -n 's/^live://p')
[ "$(arg harvester.install.automatic)" = true ] || idle "not an automatic install: the installer would wait at its console"
# ip=dhcp: the first NIC that gets a lease.
nic=""
for i in 1 2 3; do
  for d in /sys/class/net/*; do
    n=\${d##*/}; [ "$n" = lo ] && continue
    ip link set $n up
    if udhcpc -i $n -n -q -t 5 -T 2 -s /etc/udhcpc.sh; then nic=$n; break 2; fi
  done
done
[ -n "$nic" ] || idle "no DHCP lease: dracut would wait for the network"
echo "demo: $nic has $(ip -4 -o addr show $nic | awk '{print $4}')"
if [ -n "$live" ]; then
  curl -fsS -o /tmp/rootfs "$live" || idle "dracut could not fetch the live root $live"
  echo "demo: live root fetched ($(wc -c </tmp/rootfs) bytes)"
fi
curl -fsS -o /tmp/config.yaml "$config_url" || idle "could not fetch the config from $config_url: the installer sends no webhook"
echo "demo: config fetched from $config_url"
CONFIG=/tmp/config.yaml
${HARVESTER_CONFIG_SH}# Its webhooks, one file each under /tmp/hooks/N.
mkdir -p /tmp/hooks
awk '/^install:/{f=1;next} /^[^ ]/{f=0} f&&/^  webhooks:/{w=1;next} w&&/^  [^ ]/{w=0}
  w&&/^    - /{n++; sub(/^    - /,"      ")}
  w&&/^      [a-z]+:/{k=$1; sub(/:$/,"",k); v=$0; sub(/^      [a-z]+: */,"",v); if (k=="headers") {h=1; next} h=0; print v > ("/tmp/hooks/" n "." k); next}
  w&&h&&/^        [^ -]/{hk=$1; sub(/:$/,"",hk); next}
  w&&h&&/^          - /{v=$0; sub(/^          - /,"",v); print hk ": " v >> ("/tmp/hooks/" n ".headers")}' /tmp/config.yaml
hostname=$(top os hostname)
mode=$(top install mode)
device=$(top install device)
echo "demo: hostname $hostname, mode $mode, install device $device, $(ls /tmp/hooks/*.event 2>/dev/null | wc -l) webhooks"
# Preflight (pkg/preflight): on any warning an automatic install stops before STARTED, unless install.skipchecks.
if [ "$(top install skipchecks)" = true ]; then echo "demo: preflight checks skipped (install.skipchecks: true)"
else echo "demo: preflight checks not modelled (the demo VM's 1 vCPU and 256 MiB are not the machine's; Harvester would check 16 CPUs, 64 GiB, a 10 Gb/s management NIC)"; fi
render() { sed -e "s/{{ *\\.Hostname *}}/$hostname/g" -e 's/{{ *\\.MACAddr *}}//g' -e 's/{{ *\\.IPAddrV4 *}}//g' -e 's/{{ *\\.IPAddrV6 *}}//g'; }
hook() {
  f=/tmp/hooks/$1
  url=$(unq <$f.url | render); method=$(unq <$f.method 2>/dev/null); method=\${method:-GET}
  set -- -s -o /dev/null -w '%{http_code}' --max-time 15 -X "$method"
  if [ -f $f.headers ]; then while IFS= read -r h; do set -- "$@" -H "$(echo "$h" | unq)"; done <$f.headers; fi
  [ -f $f.payload ] && set -- "$@" --data-binary "$(unq <$f.payload | render)"
  try=0
  while :; do
    code=$(curl "$@" "$url"); rc=$?
    # 28: curl's timeout; the installer retries only a timeout, 3 times, 5 s apart.
    if [ $rc = 28 ] && [ $try -lt 3 ]; then try=$((try+1)); sleep 5; continue; fi
    break
  done
  if [ $rc != 0 ] || [ "$code" -lt 200 ] || [ "$code" -ge 400 ]; then echo "demo: webhook $method $(echo "$url" | sed 's/?.*//') failed (curl $rc, HTTP $code)"; return 1; fi
  echo "demo: webhook $method $(echo "$url" | sed 's/?.*//') answered $code"
}
webhooks() {
  echo "demo: handle webhooks for event $1"
  for e in $(ls /tmp/hooks/*.event 2>/dev/null | sort -t/ -k4 -n); do
    n=\${e##*/}; n=\${n%.event}
    [ "$(unq <$e)" = "$1" ] || continue
    hook $n || return 0
  done
}
webhooks STARTED
if [ ! -b "$device" ]; then
  echo "demo: harv-install: $device is not a block device"
  webhooks FAILED
  idle "install failed"
fi
iso=$(top install iso_url)
# harv-install (package/harvester-os/files/usr/sbin/harv-install): get_iso downloads install.iso_url,
# the image is written to install.device, save_configs keeps the config as /oem/harvester.config.
# The demo's "ISO" is the installed disk image itself (GPT: an ESP with the UKI, COS_OEM), streamed onto the disk.
echo "demo: harv-install: installing Harvester ($mode) to $device from $iso"
set -o pipefail
if ! curl -fsS "$iso" | dd of="$device" bs=1M 2>/dev/null; then
  echo "demo: harv-install: writing $iso to $device failed"
  webhooks FAILED
  idle "install failed"
fi
set +o pipefail
blockdev --rereadpt "$device"
oem=$(oem_partition)
mkdir -p /tmp/oem && cp /tmp/config.yaml /tmp/oem/harvester.config
if [ -z "$oem" ] || ! tar -cf - -C /tmp/oem harvester.config | dd of=/dev/$oem 2>/dev/null; then
  echo "demo: harv-install: no COS_OEM partition on $device after writing the image"
  webhooks FAILED
  idle "install failed"
fi
sync
echo "demo: harv-install: image written, config saved to /oem/harvester.config (/dev/$oem)"
webhooks SUCCEEDED
echo "demo: cos-installer-shutdown: rebooting"
reboot -f
`;
}

/** udhcpc's script: the lease's address and router (busybox udhcpc calls it with the lease in its environment). */
export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}"
    ;;
esac
exit 0
`;
