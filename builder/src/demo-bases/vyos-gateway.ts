import { MEDIUM, LAB_DIR, AGENT_EXE } from '../gateway-stick/index.js';

/**
 * /sbin/init of the demo VyOS base's root image (pure text, busybox sh): what VyOS's boot does
 * with a config file, as far as a demo can.
 *
 * 1. vyos-router (vyos-1x src/init/vyos-router): the file is /opt/vyatta/etc/config/config.boot
 *    unless the kernel argument `vyos-config=PATH` names a readable one ("Config selected
 *    manually: PATH"); without either, /opt/vyatta/etc/config.boot.default.
 * 2. The demo gateway: reads THAT file (the curly-brace config.boot syntax, flattened to the
 *    `set` paths VyOS's own loader walks) and applies the statements it models, in the order
 *    VyOS's config scripts need them: ethernet links and their `vif` sub-interfaces, bridges and
 *    their members, addresses, static routes, forwarding (on unless `system ip
 *    disable-forwarding`), the host name, and `service dhcp-relay` with ISC dhcrelay started as
 *    vyos-1x's isc-dhcp-relay.service and dhcrelay.conf.j2 start it (`-4 -pf … -c HOPS -a -m
 *    POLICY -id … -iu … SERVER`). It prints each applied statement and a count of every other
 *    one by section ("not modelled": firewall, NAT, BGP, the DHCP server, DNS, NTP, SSH, logins…).
 * 3. Writes /tmp/vyos-config-status (vyos-router does once the config is applied), runs
 *    vyos-postconfig-bootup.script, and starts the units multi-user.target wants (ExecStart=), as
 *    systemd would start the stick's lab-agent.service.
 *
 * When the stick carries no agent executable (a rehearsal's stick carries only the bundle: the
 * agent runs beside the demo gateway, at its PXE address), the demo gateway leaves the agent's
 * PXE address (agent.yaml `pxe.address`) to it and reports its own boot to the collector named in
 * agent.yaml, as the agent would. The token is read from agent.yaml and never printed.
 */
export function demoGatewayInit(): string {
  const lab = `${MEDIUM}/${LAB_DIR}`;
  return `#!/bin/sh
/bin/busybox --install -s /bin
exec >/dev/ttyS0 2>&1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /tmp /var/log /var/lib /var/run /run/demo && chmod 1777 /tmp
echo "DEMO-VYOS-INIT: VyOS DEMO base (busybox and Debian's dhcrelay, not VyOS): it loads the boot config as vyos-router does and applies what it models"
BOOTFILE=/opt/vyatta/etc/config/config.boot
VYOS_CONFIG=""
for x in $(cat /proc/cmdline); do
  case "$x" in vyos-config=*) VYOS_CONFIG="\${x#vyos-config=}" ;; esac
done
if [ -n "$VYOS_CONFIG" ]; then
  if [ -r "$VYOS_CONFIG" ]; then echo "Config selected manually: $VYOS_CONFIG"; BOOTFILE="$VYOS_CONFIG"
  else echo "WARNING: Could not read selected config file, using default!"; fi
fi
[ -r "$BOOTFILE" ] || BOOTFILE=/opt/vyatta/etc/config.boot.default
echo "CONFIG-FILE $BOOTFILE"
echo "CONFIG-SHA256 $(sha256sum "$BOOTFILE" | cut -d' ' -f1)"
ip link set lo up
# config.boot to set paths: a node line ends in "{", a leaf is "name value", "}" closes; a node
# with an empty body (a valueless tag such as "next-hop 10.0.0.1 { }") is a statement itself.
F=/run/demo/config.set
awk '
/^[ \\t]*\\/\\*.*\\*\\/[ \\t]*$/ { next }
/^[ \\t]*\\/\\// { next }
{ sub(/^[ \\t]+/, ""); sub(/[ \\t]+$/, "") }
$0 == "" { next }
/\\{$/ { sub(/[ \\t]*\\{$/, ""); kids[d]++; d++; path[d] = $0; kids[d] = 0; next }
$0 == "}" { if (d > 0 && kids[d] == 0) { p = path[1]; for (i = 2; i <= d; i++) p = p " " path[i]; print p } d--; next }
{ kids[d]++; p = ""; for (i = 1; i <= d; i++) p = p path[i] " "; print p $0 }
' "$BOOTFILE" > $F
echo "demo: $(wc -l < $F) statements in $BOOTFILE"
AY=${lab}/agent.yaml
yget() { [ -r "$AY" ] && awk -v s="$1" -v k="$2" '$0 ~ "^"s":" {f=1; next} /^[^ ]/ {f=0} f && $1 == k":" {v=$2; gsub(/^["\\x27]|["\\x27]$/, "", v); print v; exit}' "$AY"; }
LEAVE=""
if [ ! -x ${lab}/${AGENT_EXE} ]; then
  LEAVE=$(yget pxe address)
  [ -n "$LEAVE" ] && echo "demo: no agent executable on the stick: its PXE address $LEAVE (agent.yaml pxe.address) is left to the PXE service running beside this demo gateway"
fi
uq() { v="$1"; v="\${v#\\"}"; echo "\${v%\\"}"; }
safe() { case "$1" in ""|*[!0-9A-Za-z./:_-]*) return 1 ;; esac; return 0; }
S=/run/demo/stage
: > $S.1; : > $S.2; : > $S.3; : > $S.4; : > /run/demo/ignored
ignore() { echo "$1" >> /run/demo/ignored; }
once() { grep -qxF "$2" $S.$1 || echo "$2" >> $S.$1; }
RELAY_ID=""; RELAY_IU=""; RELAY_I=""; RELAY_SERVER=""; HOPS=10; POLICY=forward; MAXSIZE=""; FORWARD=1
set -f
while IFS= read -r line; do
  set -- $line
  eval "last=\\\${$#}"; v=$(uq "$last")
  # Every ethernet port and vif the config names comes up, whatever its statement says.
  if [ "$1 $2" = "interfaces ethernet" ] && safe "$3"; then
    once 1 "link $3"
    [ "$4" = vif ] && safe "$5" && once 1 "vif $3 $5"
  fi
  case "$line" in
    *" description "*) ignore "description (a label)"; continue ;;
  esac
  case "$1 $2 $4 $6" in
    "interfaces ethernet vif address") safe "$v" && once 3 "addr $3.$5 $v"; continue ;;
  esac
  case "$1 $2 $4" in
    "interfaces ethernet vif") [ "$#" = 5 ] && continue ;;
    "interfaces ethernet address") safe "$v" && once 3 "addr $3 $v"; continue ;;
    "interfaces bridge address") safe "$3" && safe "$v" && { once 2 "bridge $3"; once 3 "addr $3 $v"; }; continue ;;
    "interfaces bridge member") [ "$5" = interface ] && safe "$3" && safe "$6" && { once 2 "bridge $3"; once 2 "member $3 $6"; }; continue ;;
  esac
  case "$1 $2 $3" in
    "protocols static route") [ "$5" = next-hop ] && [ "$#" = 6 ] && safe "$4" && safe "$6" && { once 4 "route $4 $6"; continue; } ;;
    "interfaces ethernet "*) [ "$#" = 3 ] && continue ;;
    "interfaces loopback lo") continue ;;
    "service dhcp-relay listen-interface") safe "$v" && RELAY_ID="$RELAY_ID -id $v"; continue ;;
    "service dhcp-relay upstream-interface") safe "$v" && RELAY_IU="$RELAY_IU -iu $v"; continue ;;
    "service dhcp-relay interface") safe "$v" && RELAY_I="$RELAY_I -i $v"; continue ;;
    "service dhcp-relay server") safe "$v" && RELAY_SERVER="$RELAY_SERVER $v"; continue ;;
    "service dhcp-relay relay-options")
      case "$4" in
        hop-count) safe "$v" && HOPS=$v ;;
        relay-agents-packets) safe "$v" && POLICY=$v ;;
        max-size) safe "$v" && MAXSIZE=" -A $v" ;;
        *) ignore "service dhcp-relay relay-options $4" ;;
      esac
      continue ;;
    "system host-name "*) safe "$v" && hostname "$v" && echo "demo: applied: system host-name $v"; continue ;;
    "system ip disable-forwarding") FORWARD=0; continue ;;
  esac
  ignore "$1 $2"
done < $F
set +f
run() { s="$1"; shift; if "$@" 2>/run/demo/err; then echo "demo: applied: $s"; else echo "demo: FAILED: $s ($(cat /run/demo/err))"; fi; }
has() { [ -e /sys/class/net/$1 ] || { echo "demo: skipped: $2 (no interface $1 on this machine)"; return 1; }; }
while read -r what a b; do
  case "$what" in
    link) has $a "interfaces ethernet $a" && run "interfaces ethernet $a" ip link set $a up ;;
    vif) has $a "interfaces ethernet $a vif $b" && { ip link set $a up; run "interfaces ethernet $a vif $b" ip link add link $a name $a.$b type vlan id $b; ip link set $a.$b up; } ;;
  esac
done < $S.1
while read -r what a b; do
  case "$what" in
    bridge) run "interfaces bridge $a" brctl addbr $a; ip link set $a up ;;
    member) has $b "interfaces bridge $a member interface $b" && run "interfaces bridge $a member interface $b" brctl addif $a $b ;;
  esac
done < $S.2
while read -r what dev addr; do
  if [ -n "$LEAVE" ] && [ "\${addr%/*}" = "$LEAVE" ]; then echo "demo: left to the PXE service beside: address $addr on $dev"; continue; fi
  has $dev "address $addr on $dev" && run "address $addr on $dev" ip addr add $addr dev $dev
done < $S.3
if [ "$FORWARD" = 1 ]; then echo 1 > /proc/sys/net/ipv4/ip_forward && echo "demo: applied: IPv4 forwarding on (VyOS's default; no system ip disable-forwarding)"; fi
while read -r what to via; do
  if [ "$to" = 0.0.0.0/0 ]; then run "protocols static route $to next-hop $via" ip route add default via $via
  else run "protocols static route $to next-hop $via" ip route add $to via $via; fi
done < $S.4
if [ -n "$RELAY_SERVER" ]; then
  mkdir -p /run/dhcp-relay
  if [ -n "$RELAY_I" ]; then OPTS="-c $HOPS -a -m $POLICY$MAXSIZE$RELAY_I$RELAY_SERVER"; else OPTS="-c $HOPS -a -m $POLICY$MAXSIZE$RELAY_ID$RELAY_IU$RELAY_SERVER"; fi
  echo "OPTIONS=\\"$OPTS\\"" > /run/dhcp-relay/dhcrelay.conf
  run "service dhcp-relay (ISC dhcrelay $OPTS)" dhcrelay -4 -pf /run/dhcp-relay/dhcrelay.pid $OPTS
fi
if [ -s /run/demo/ignored ]; then
  echo "demo: not modelled (ignored):"
  sort /run/demo/ignored | uniq -c | while read -r n what; do echo "demo:   $what ($n statements)"; done
fi
echo 0 > /tmp/vyos-config-status
echo "DEMO-CONFIG-APPLIED"
if [ -x /opt/vyatta/etc/config/scripts/vyos-postconfig-bootup.script ]; then
  /opt/vyatta/etc/config/scripts/vyos-postconfig-bootup.script
fi
for unit in /etc/systemd/system/multi-user.target.wants/*.service; do
  [ -e "$unit" ] || continue
  cmd=$(sed -n 's/^ExecStart=//p' "$unit" | head -n 1)
  echo "UNIT-START $(basename "$unit")"
  sh -c "$cmd" &
done
if [ ! -x ${lab}/${AGENT_EXE} ]; then
  url=$(yget collector url); host=$(yget host name); token=$(yget collector token)
  hp=\${url#*://}; hp=\${hp%%/*}; addr=\${hp%:*}; port=\${hp##*:}
  vifs=$(grep '^vif ' $S.1 | awk '{print $3}' | sort -un | tr '\\n' ',' | sed 's/,$//')
  if [ -n "$addr" ] && [ -n "$token" ]; then
    echo "demo: reporting the gateway's boot to $url as $host (the agent would; it does not run in this demo)"
    id="demo-$host-boot-$(cat /proc/sys/kernel/random/uuid)"
    while :; do
      now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      body="{\\"events\\":[{\\"id\\":\\"$id\\",\\"host\\":\\"$host\\",\\"source\\":\\"gateway\\",\\"kind\\":\\"boot\\",\\"time\\":\\"$now\\",\\"attrs\\":{\\"demo\\":true,\\"configSha256\\":\\"$(sha256sum "$BOOTFILE" | cut -c1-64)\\",\\"vlans\\":[$vifs]}}]}"
      answer=$(printf 'POST /v1/events HTTP/1.0\\r\\nHost: %s\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "$hp" "$token" "\${#body}" "$body" | nc -w 5 $addr $port | head -n 1)
      case "$answer" in *" 200 "*|*" 201 "*|*" 202 "*) echo "demo: reported gateway boot"; break ;; esac
      sleep 1
    done
  fi
fi
echo "DEMO-GATEWAY-UP"
while :; do sleep 3600; done
`;
}
