import { DEMO_MACHINED_PORT, DEMO_PORTS, KUBELET_SH } from '../demo-apis/index.js';

/**
 * The demo Talos node once it runs from its disk (busybox sh, pure text): what gates its
 * readiness on Talos, from its own embedded config.
 *
 * - machined: the node's state (services, etcd members, its disks) served as lines by busybox
 *   httpd on its address, port DEMO_MACHINED_PORT, and Bootstrap taken there by a CGI script (the
 *   demo apid beside the collector asks it: demo-apis/machined.ts). apid's port 50000 on the node
 *   is relayed to that apid by busybox nc: the watchers dial the node's own address.
 * - etcd waits for Bootstrap: its service stays `Preparing` (Talos v1.12.0
 *   internal/app/machined/pkg/system/services/etcd.go logs the line echoed below) until the
 *   Bootstrap call arrives; then it runs as a one-member cluster.
 * - a Layer2VIPConfig document's address (the control-plane VIP) is taken once etcd runs, as
 *   Talos's VIP controller does after winning its etcd election (the only node here wins).
 * - the API server comes up only once etcd runs: port 6443 on the node is relayed to the demo
 *   Kubernetes API from then on (the static pods are not modelled).
 * - the kubelet registers its Node with the bootstrap token from `cluster.token`, verifying the
 *   API server against `cluster.ca.crt`, at `cluster.controlPlane.endpoint` — all read from the
 *   embedded config — NotReady until a CNI runs.
 * - Talos's manifest controller applies `cluster.inlineManifests`, each whole.
 * - the CNI "arrives" when the config has one: `cluster.network.cni.name` other than none (Talos
 *   deploys flannel itself), or an inline manifest holding a CNI's DaemonSet (cilium,
 *   kube-flannel-ds, calico-node). Then the kubelet reports Ready and the machine status turns
 *   ready. Without one the node stays NotReady, as Talos with `cni: none` does.
 * - an additional control plane (not the cluster's first node) gets no Bootstrap: its etcd logs the
 *   same "waiting to join" line (Talos v1.12.0 etcd.go buildInitialCluster retries until it finds
 *   the cluster's members) and joins once a peer's etcd runs — here: once a peer control plane's
 *   machined lists etcd members; its member list is theirs plus itself. It takes no VIP (the first
 *   node holds it), and its kubelet is Ready once its config names a CNI or the cluster runs a CNI
 *   DaemonSet (the DaemonSet schedules onto the new node), asked of the demo Kubernetes API.
 * Not modelled: containers, static pods, etcd itself, time sync, the CNI's own work; the first
 * node's member list does not grow as others join.
 */

/** How the node's etcd starts: the cluster's first node waits for Bootstrap; another control plane joins through its peers (their addresses). */
export type TalosEtcdStart = { bootstrap: true } | { peers: string[] };

/** The services of a Talos v1.12 control plane's ServiceList, by id. */
const SERVICES = ['apid', 'containerd', 'cri', 'kubelet', 'machined', 'trustd', 'udevd'];

export function talosRunningScript(hostname: string, address: string, talosVersion: string, etcd: TalosEtcdStart = { bootstrap: true }): string {
  const join = 'peers' in etcd;
  return `${KUBELET_SH}
cfgget() { awk -v want="$1" '/^---/{exit} { match($0,/^ */); lvl=RLENGTH/2; line=substr($0,RLENGTH+1); if (line ~ /^-/ || line !~ /^[A-Za-z][A-Za-z0-9]*:/) next; k=line; sub(/:.*/,"",k); v=line; sub(/^[^:]*: */,"",v); key[lvl]=k; p=key[0]; for (i=1;i<=lvl;i++) p=p "." key[i]; if (p==want && v!="") { gsub(/^["\\x27]|["\\x27]$/,"",v); print v; exit } }' $cfg; }
APIS=$(cat /etc/demo/apis)
mkdir -p /www/cgi-bin /run/demo/manifests
etcd_line="service etcd Preparing unknown Running pre state"; members=""
model=$(cat /sys/block/$disk/device/model 2>/dev/null | sed 's/ *$//'); serial=$(cat /sys/block/$disk/device/serial 2>/dev/null | sed 's/ *$//')
write_state() {
  { echo "hostname ${hostname}"; echo "version ${talosVersion}"
    for s in ${SERVICES.join(' ')}; do echo "service $s Running healthy"; done
    echo "$etcd_line"
    for m in $members; do echo "etcd $m"; done
    echo "disk /dev/$disk $bytes $t 1 \${serial:--} \${model:-demo disk}"
  } > /www/state.new && mv /www/state.new /www/state
}
write_state
cat > /www/cgi-bin/bootstrap <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
if [ -f /run/demo/bootstrapped ]; then echo already; elif [ ! -f /run/demo/may-bootstrap ]; then echo not-yet; else touch /run/demo/bootstrapped; echo ok; fi
CGI
chmod 755 /www/cgi-bin/bootstrap
httpd -p ${address}:${DEMO_MACHINED_PORT} -h /www
nc -ll -p ${DEMO_PORTS.apid} -e nc $APIS ${DEMO_PORTS.apid} &
echo "demo: apid up on :${DEMO_PORTS.apid} (relayed to the demo apid at $APIS), machined state on ${address}:${DEMO_MACHINED_PORT}"
${join ? `echo "demo: etcd is waiting to join the cluster, if this node is the first node in the cluster, please run \\\`talosctl bootstrap\\\`"
peer_members() { for p in ${join ? etcd.peers.join(' ') : ''}; do [ "$p" = "${address}" ] && continue; curl -fsS --max-time 3 http://$p:${DEMO_MACHINED_PORT}/state 2>/dev/null | awk '/^etcd /{print $2}'; done | sort -u | tr '\\n' ' '; }
until peers=$(peer_members) && [ -n "$peers" ]; do sleep 2; done
members="$peers${hostname}"
echo "demo: etcd joins the existing cluster through its members ($peers): no Bootstrap on an additional control plane"
etcd_line="service etcd Running healthy"
write_state
` : `touch /run/demo/may-bootstrap
echo "demo: etcd is waiting to join the cluster, if this node is the first node in the cluster, please run \\\`talosctl bootstrap\\\`"
until [ -f /run/demo/bootstrapped ]; do sleep 1; done
echo "demo: bootstrap request received: etcd starts as a new cluster"
etcd_line="service etcd Running healthy"; members="${hostname}"
write_state
# A Layer2VIPConfig document: with etcd up, this node wins the VIP's election (it is the only one) and holds the address.
vip=$(awk '/^kind: Layer2VIPConfig/{v=1} /^---/{v=0} v && /^name: /{print $2; exit}' $cfg)
if [ -n "$vip" ]; then dev=$(ip -o -4 addr show | awk -v a="${address}" '{split($4,p,"/"); if (p[1]==a) {print $2; exit}}'); ip addr add $vip/32 dev $dev && arping -U -c 1 -I $dev $vip >/dev/null 2>&1; echo "demo: holds the control-plane VIP $vip on $dev"; fi
`}nc -ll -p ${DEMO_PORTS.platform} -e nc $APIS ${DEMO_PORTS.platform} &
KUBE=$(cfgget cluster.controlPlane.endpoint); KUBE_CA=/run/demo/kube-ca.pem; KUBE_TOKEN=/run/demo/kube-token
cfgget cluster.ca.crt | base64 -d > $KUBE_CA; cfgget cluster.token > $KUBE_TOKEN; chmod 600 $KUBE_TOKEN
echo "demo: kube-apiserver up (relayed to the demo Kubernetes API); kubelet talks to $KUBE"
kube_register ${hostname} ${address} control-plane "Talos (${talosVersion})" $(cfgget machine.kubelet.image | sed 's/.*://')
send registered
awk '/^---/{exit} /^  inlineManifests:/{m=1; next} m && /^  [^ ]/{m=0} m && /^    - name: /{f=sprintf("/run/demo/manifests/%02d-%s", ++i, $3); c=0; next} m && /^      contents: /{c=1; next} m && c { if ($0 ~ /^        /) print substr($0,9) > f; else if ($0 ~ /^ *$/) print "" > f; else c=0 }' $cfg
for f in $(ls /run/demo/manifests | sort); do kube_apply \${f#*-} /run/demo/manifests/$f; done
cni=""
case "$(cfgget cluster.network.cni.name)" in none|"") ;; *) cni="$(cfgget cluster.network.cni.name) (deployed by Talos)" ;; esac
for f in /run/demo/manifests/*; do [ -f "$f" ] || continue; d=$(awk '/^---/{k=0} /^kind: DaemonSet/{k=1} k && /^  name: (cilium|kube-flannel-ds|calico-node)$/{print $2; exit}' $f); [ -n "$d" ] && cni="\${cni:-$d (inline manifest \${f##*/})}"; done
${join ? `# A joining node: the cluster's CNI DaemonSet (applied by the first node) schedules onto it.
if [ -z "$cni" ]; then
  echo "demo: waiting for the cluster's CNI DaemonSet (cilium, kube-flannel-ds, calico-node)"
  until d=$(curl -sS --max-time 10 --cacert $KUBE_CA -H "Authorization: Bearer $(cat $KUBE_TOKEN)" "$KUBE/apis/apps/v1/daemonsets" 2>/dev/null | grep -oE '"name":"(cilium|kube-flannel-ds|calico-node)"' | head -n 1 | cut -d'"' -f4) && [ -n "$d" ]; do sleep 2; done
  cni="$d (the cluster's DaemonSet)"
fi
` : ''}if [ -n "$cni" ]; then
  echo "demo: CNI $cni: the network plugin runs"
  sleep 2
  kube_ready ${hostname} True KubeletReady "kubelet is posting ready status"
  send ready
else
  echo "demo: no CNI in the config (cluster.network.cni.name none, no CNI manifest): the node stays NotReady, as Talos would"
fi`;
}
