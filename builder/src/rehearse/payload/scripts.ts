import { prefixLength, type Host, type Lab, type Network } from '@lab/shared';
import type { RehearsalPlan, VmPlan } from '../plan.js';
import { talosRunningScript, type TalosEtcdStart } from './talos-running.js';

/**
 * The demo payloads' init scripts (busybox sh), generated from the lab (pure). Each payload is
 * a small Linux that says "demo" on its console and in every event it sends, and behaves at the
 * network boundary the way the real system would: the gateway carries the lab's VLANs and
 * routes between them, a node takes its static addresses on its VLANs and reports over them.
 */

/** Where the guests report: the collector as the lab names it (the laptop's address). */
export function collectorHostPort(lab: Lab): string {
  return /^https?:\/\/([^/]+)/.exec(lab.collector.url)?.[1] ?? '';
}

/** `console`: where the payload writes; a PXE-booted payload's kernel line names the machine's screen, the demo's log is its serial port. */
export function prelude(vm: Pick<VmPlan, 'host'>, what: string, modules: string[], console = '/dev/console'): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >${console} 2>&1
echo "demo: ${what} for ${vm.host} (a rehearsal payload, not the real system)"
for m in ${modules.join(' ')}; do insmod /lib/modules/$m || echo "demo: insmod $m failed"; done
ip link set lo up
# The NIC with a MAC: virtio NICs enumerate in -device order, but go by MAC as the lab does.
devof() { for d in /sys/class/net/*; do [ "$(cat $d/address)" = "$1" ] && { echo \${d##*/}; return; }; done; echo "demo: no NIC with MAC $1" >&2; }
`;
}

/**
 * report SOURCE KIND ATTRS: one event to the collector's POST /v1/events, retried with the same
 * id until it is stored (as the agent's reporter does). HTTP by hand over busybox nc: the static
 * busybox's wget crashes in its resolver even for a numeric address.
 */
function reportFn(lab: Lab, host: string): string {
  const [addr, port] = collectorHostPort(lab).split(':');
  return `report() {
  id="demo-${host}-$2-$(cat /proc/sys/kernel/random/uuid)"
  while :; do
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    body="{\\"events\\":[{\\"id\\":\\"$id\\",\\"host\\":\\"${host}\\",\\"source\\":\\"$1\\",\\"kind\\":\\"$2\\",\\"time\\":\\"$now\\",\\"attrs\\":{\\"demo\\":true$3}}]}"
    answer=$(printf 'POST /v1/events HTTP/1.0\\r\\nHost: ${addr}:${port}\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "$(cat /etc/demo/token)" "\${#body}" "$body" | nc -w 5 ${addr} ${port} | head -n 1)
    case "$answer" in
      *" 200 "*|*" 201 "*|*" 202 "*) echo "demo: reported $1 $2"; return 0 ;;
    esac
    sleep 1
  done
}
`;
}

const idle = `echo "demo: up"
while :; do sleep 3600; done
`;

function network(lab: Lab, name: string): Network {
  return lab.networks.find((n) => n.name === name)!;
}

/** A node's NICs by MAC and its static addresses on its VLANs, routed by its first network's gateway. */
export function nodeNetwork(lab: Lab, host: Host, vm: VmPlan): string[] {
  const lines: string[] = [];
  let route: string | undefined;
  host.nics.forEach((nic, i) => {
    lines.push(`N${i}=$(devof ${vm.nics[i]!.mac})`, `ip link set $N${i} up`);
    const place = (netName: string, dev: string) => {
      const addr = host.addresses.find((a) => a.network === netName);
      if (!addr) return;
      const n = network(lab, netName);
      lines.push(`ip addr add ${addr.address}/${prefixLength(n)} dev ${dev}   # ${netName}`);
      route ??= n.gateway;
    };
    if (nic.untagged) place(nic.untagged, `$N${i}`);
    for (const t of nic.tagged) {
      const vid = network(lab, t).vlan;
      if (vid === undefined) continue;
      lines.push(`ip link add link $N${i} name \${N${i}}.${vid} type vlan id ${vid}`, `ip link set \${N${i}}.${vid} up`);
      place(t, `\${N${i}}.${vid}`);
    }
  });
  if (route) lines.push(`ip route add default via ${route}`);
  return lines;
}

/** A lab node's demo payload: its network, then one boot event. */
export function nodeScript(lab: Lab, host: Host, vm: VmPlan, modules: string[]): string {
  return [prelude(vm, `demo ${host.role} node`, modules), reportFn(lab, host.name), ...nodeNetwork(lab, host, vm), `report agent boot ',"role":"${host.role}"'`, idle].join('\n');
}

/**
 * The demo Talos node: reads its embedded machine config where Talos's embedded-config
 * extension puts it, takes the sink endpoint from its EventSinkConfig document and the install
 * disk selector from machine.install, looks for a matching disk (size and type, in Talos's
 * units: GB = 10^9, GiB = 2^30) and publishes the events `talos-events.ts` encoded, in the
 * sequencer's order, with curl over plaintext HTTP/2 (h2c) as gRPC unary calls; each is retried
 * until the sink answers grpc-status 0. It does not really install or kexec; it goes on in the
 * same kernel.
 */
export function talosScript(lab: Lab, host: Host, vm: VmPlan, modules: string[]): string {
  return [
    prelude(vm, 'demo Talos node (the sink protocol and event order of Talos v1.12, etcd waiting for Bootstrap, a kubelet registering its Node; no containers, etcd or real install)', modules),
    ...nodeNetwork(lab, host, vm),
    `cfg=/usr/local/etc/talos/config.yaml
if [ ! -f $cfg ]; then echo "demo: no embedded config: Talos would stay in maintenance mode"; while :; do sleep 3600; done; fi
echo "demo: embedded config found: $cfg ($(sha256sum $cfg | cut -c1-12))"
sink=$(awk '/^kind: EventSinkConfig/{f=1} f&&/^endpoint:/{print $2; exit}' $cfg)
ev=/talos`,
    TALOS_INSTALL,
    // Without its install disk Talos goes no further; with it, it runs from disk (talos-running.ts).
    `[ -n "$disk" ] || { while :; do sleep 3600; done; }`,
    talosRunningScript(host.name, host.addresses[0]?.address ?? '', lab.clusters.platform?.talos ?? 'v1.12.0', etcdStart(lab, host.name)),
    idle,
  ].join('\n');
}

/** The platform's first host bootstraps etcd (the collector's --bootstrap calls it there); the others join through their peers' addresses. */
export function etcdStart(lab: Lab, host: string): TalosEtcdStart {
  const hosts = lab.clusters.platform?.hosts ?? [];
  if (hosts[0] === host || !hosts.includes(host)) return { bootstrap: true };
  return { peers: controlPlaneAddresses(lab) };
}

export function controlPlaneAddresses(lab: Lab): string[] {
  return (lab.clusters.platform?.hosts ?? []).map((h) => lab.hosts.find((x) => x.name === h)?.addresses[0]?.address).filter((a): a is string => a !== undefined);
}

/**
 * What every demo Talos node does once it has its machine config at $cfg, its sink at $sink and
 * its prepared events under $ev: match the install disk selector against its disks (size and
 * type, in Talos's units: GB = 10^9, GiB = 2^30), then publish the boot events and either the
 * install's or the failure's, each retried until the sink answers grpc-status 0.
 */
export const TALOS_INSTALL = `selector() { awk -v k="$1" '/diskSelector:/{f=1; match($0,/^ */); ind=RLENGTH; next} f{match($0,/^ */); if (RLENGTH<=ind) exit; sub(/^ */,""); split($0,kv,": *"); if (kv[1]==k) { v=substr($0,length(kv[1])+2); gsub(/^ *|["\\x27]/,"",v); print v } }' $cfg; }
want_size=$(selector size); want_type=$(selector type)
echo "demo: event sink $sink; install disk selector: size \${want_size:-any}, type \${want_type:-any}"
disk=""
for b in /sys/block/*; do
  name=\${b##*/}; case $name in loop*|ram*) continue ;; esac
  bytes=$(awk -v s=$(cat $b/size) 'BEGIN{printf "%.0f", s*512}')
  case $name in nvme*) t=nvme ;; mmcblk*) t=sd ;; *) if [ "$(cat $b/queue/rotational)" = 1 ]; then t=hdd; else t=ssd; fi ;; esac
  ok=$(awk -v have="$bytes" -v want="$want_size" 'BEGIN{ if (want=="") { print 1; exit } op="=="; if (match(want,/^(>=|<=|>|<|==)/)) { op=substr(want,1,RLENGTH); want=substr(want,RLENGTH+1) } gsub(/ /,"",want); n=want+0; u=toupper(want); sub(/^[0-9.]+/,"",u); m=1; if(u=="KB")m=1e3; if(u=="MB")m=1e6; if(u=="GB")m=1e9; if(u=="TB")m=1e12; if(u=="KIB")m=2^10; if(u=="MIB")m=2^20; if(u=="GIB")m=2^30; if(u=="TIB")m=2^40; w=n*m; r=(op==">=")?have>=w:(op=="<=")?have<=w:(op==">")?have>w:(op=="<")?have<w:have==w; print r }')
  echo "demo: disk $name: $bytes bytes, type $t"
  if [ "$ok" = 1 ] && { [ -z "$want_type" ] || [ "$want_type" = "$t" ]; }; then disk=$name; break; fi
done
publish() { curl -s -o /dev/null -D /tmp/h --max-time 10 --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @$1 http://$sink/events.EventSinkService/Publish && grep -qi '^grpc-status: *0' /tmp/h; }
send() { for f in $(ls $ev/$1 | sort); do until publish $ev/$1/$f; do sleep 1; done; echo "demo: published $f"; done; }
send boot
if [ -n "$disk" ]; then echo "demo: installing to /dev/$disk (not written)"; send installed; else echo "demo: no disk matches the install disk selector"; send failed; fi`;

/**
 * The demo Talos node booted by PXE (phase 4's hosts), one initramfs for all of them at the
 * path the rendered iPXE script names. As Talos's metal platform does: a DHCP lease on its link
 * (here through the gateway's relay), the machine config from \`talos.config=URL\`, the sink from
 * \`talos.events.sink=\` (it reports from its first second), then the host's own network from its
 * config (the LinkConfig address, the gateway of its network) and the install. The events were
 * prepared per host (its hostname and addresses) under /talos/<hostname>; the node finds its
 * own by the HostnameConfig of the config it fetched. A failed fetch: Talos retries it forever;
 * the demo retries, every 5 s. Running from its disk it is an additional control plane
 * (talos-running.ts): its etcd joins through its peers, its kubelet registers its Node.
 */
export function talosPxeScript(lab: Lab, modules: string[]): string {
  return [
    prelude({ host: 'a PXE-booted Talos host' }, 'demo Talos node (the sink protocol and event order of Talos v1.12, etcd joining its peers, a kubelet registering its Node; no containers, etcd or real install)', modules, '/dev/ttyS0'),
    `arg() { tr ' ' '\\n' </proc/cmdline | sed -n "s/^$1=//p" | head -n 1; }
nic=""
while [ -z "$nic" ]; do
  for d in /sys/class/net/*; do
    n=\${d##*/}; [ "$n" = lo ] && continue
    ip link set $n up
    if udhcpc -i $n -n -q -t 5 -T 2 -s /etc/udhcpc.sh; then nic=$n; break; fi
  done
done
echo "demo: $nic has $(ip -4 -o addr show $nic | awk '{print $4}') (DHCP)"
url=$(arg talos.config); sink=$(arg talos.events.sink)
cfg=/tmp/config.yaml
until curl -fsS -o $cfg "$url"; do echo "demo: fetching $url failed; retrying"; sleep 5; done
echo "demo: config fetched from $url ($(sha256sum $cfg | cut -c1-12))"
name=$(awk '/^kind: HostnameConfig/{f=1} f&&/^hostname:/{print $2; exit}' $cfg)
addr=$(awk '/^---/{f=0} /^kind: LinkConfig/{f=1} f&&/^  - address:/{print $NF; exit}' $cfg)
gw=$(awk '/^---/{f=0} /^kind: LinkConfig/{f=1} f&&/gateway:/{print $NF; exit}' $cfg)
ev=/talos/$name
[ -d $ev ] || { echo "demo: no prepared events for host $name"; while :; do sleep 3600; done; }
if [ -n "$addr" ]; then
  ip addr flush dev $nic; ip addr add $addr dev $nic
  [ -n "$gw" ] && ip route replace default via $gw
  echo "demo: $name takes $addr from its config"
fi
# TALOS_INSTALL's disk loop reuses $name: the node's own name and address stay in these.
node_name=$name; node_ip=\${addr%/*}`,
    TALOS_INSTALL,
    `[ -n "$disk" ] || { while :; do sleep 3600; done; }`,
    // One initramfs for every PXE host: its name and address are the shell's, from the config it fetched.
    talosRunningScript('$node_name', '$node_ip', lab.clusters.platform?.talos ?? 'v1.12.0', { peers: controlPlaneAddresses(lab) }),
    idle,
  ].join('\n');
}

/**
 * The demo lab switch: one Linux bridge per VLAN. An access port joins its VLAN's bridge
 * itself; a trunk port joins through an 802.1Q sub-interface per tagged VLAN (the kernel hands
 * tagged frames to the sub-interface before the bridge sees the port). Nothing is addressed.
 */
export function switchScript(plan: RehearsalPlan, vm: VmPlan, modules: string[]): string {
  const lines: string[] = [prelude(vm, 'demo lab switch (one bridge per VLAN)', modules)];
  for (const v of plan.vlans) lines.push(`brctl addbr br${v}`, `ip link set br${v} up`);
  for (const p of plan.switchPorts) {
    const mac = vm.nics[p.nic]!.mac;
    lines.push(`S${p.nic}=$(devof ${mac})   # ${p.what}`, `ip link set $S${p.nic} up`);
    if (p.pvid !== undefined) lines.push(`brctl addif br${p.pvid} $S${p.nic}`);
    for (const t of p.tagged) lines.push(`ip link add link $S${p.nic} name \${S${p.nic}}.${t} type vlan id ${t}`, `ip link set \${S${p.nic}}.${t} up`, `brctl addif br${t} \${S${p.nic}}.${t}`);
  }
  lines.push('echo "demo: switch ready"', idle);
  return lines.join('\n');
}
