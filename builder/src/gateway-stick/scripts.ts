import { AGENT_BUNDLE, AGENT_EXE, AGENT_UNIT, MEDIUM, LAB_DIR, onMedium } from './layout.js';

/**
 * The two small programs the stick carries (pure text). VyOS's vyos-router writes
 * /tmp/vyos-config-status once the boot configuration is applied (src/init/vyos-config in
 * vyos-1x waits for the same file), so the agent starts with the interfaces already up.
 */
export function startAgentScript(): string {
  return `#!/bin/sh
# Starts the lab bring-up agent carried on this stick. lab-agent.service runs it at boot; by
# hand: sudo ${onMedium('start-agent.sh')}
LAB=${MEDIUM}/${LAB_DIR}
CONF="$LAB/agent.yaml"
i=0
while [ ! -f /tmp/vyos-config-status ] && [ "$i" -lt 180 ]; do sleep 1; i=$((i+1)); done
if [ -x "$LAB/${AGENT_EXE}" ]; then
  exec "$LAB/${AGENT_EXE}" --config "$CONF"
elif command -v node >/dev/null 2>&1 && [ -f "$LAB/${AGENT_BUNDLE}" ]; then
  exec node "$LAB/${AGENT_BUNDLE}" --config "$CONF"
fi
echo "lab-agent: no agent executable on the stick ($LAB/${AGENT_EXE}) and no node to run $LAB/${AGENT_BUNDLE}" >&2
exit 1
`;
}

/** systemd unit, installed by the extra live-boot layer (only the lab entry stacks it). */
export function agentUnit(): string {
  return `[Unit]
Description=Lab bring-up agent from the gateway stick
After=vyos-router.service network.target
ConditionPathExists=${onMedium('start-agent.sh')}

[Service]
Type=simple
ExecStart=${onMedium('start-agent.sh')}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}

export interface ReadmeFacts {
  labName: string;
  gatewayHost: string;
  release: string;
  entryTitle: string;
  hasAgentExe: boolean;
  runbook: string[];
  pxe: boolean;
}

/** lab/README.txt: what is on the stick and the offline steps that belong to it. */
export function stickReadme(f: ReadmeFacts): string {
  return `Gateway stick for ${f.gatewayHost} (lab ${f.labName}), VyOS ${f.release}
=====================================================================

Boot menu
  "${f.entryTitle}" (default): VyOS live, configuration loaded from this stick
      (vyos-config=${onMedium('config.boot')}), and the bring-up agent started
      (${AGENT_UNIT}${f.pxe ? ', with the PXE service' : ''}).
  The VyOS ISO's own entries follow, unchanged (VyOS with its default configuration, no agent).

Log in
  The lab entry loads the lab's configuration, so the login is the lab's: user vyos with the
  gateway password of the lab's secrets (<state>/secrets/gateway.yaml), or its SSH key. The
  original entries keep VyOS's own default login.

Files (${MEDIUM}/${LAB_DIR}/)
  config.boot      the gateway configuration (load/merge it, or boot from it)
  commands.sh      the same configuration as set commands
  agent.yaml       the agent's configuration (holds the collector token; mode 0600)
  start-agent.sh   starts the agent by hand: sudo ${onMedium('start-agent.sh')}
${f.pxe ? `  pxe/             what the PXE service serves: ipxe/<mac>.ipxe, harvester/, talos/, the iPXE
                   loaders (ipxe.efi, undionly.kpxe) and assets/ (kernels, initrds, Harvester
                   rootfs and ISO), each file checked by sha256 when make-usb took it from the cache
` : ''}  ${f.hasAgentExe ? `${AGENT_EXE}  the agent (single executable)` : `${AGENT_BUNDLE}  the agent bundle (needs node; this stick has no single executable)`}
${f.runbook.map((r) => `  runbook/${r}`).join('\n')}

Check after boot
  show configuration commands | match host-name     -> ${f.gatewayHost}
  systemctl status ${AGENT_UNIT}                    -> active (running)
  journalctl -u ${AGENT_UNIT}                       -> the agent's log

Keep the configuration when installing to disk
  The live system reads its configuration from the stick; /opt/vyatta/etc/config/config.boot,
  the file "install image" offers first, does not exist until it is saved. So, before installing:
    configure
    save                       (writes /config/config.boot, the same directory)
    exit
    install image              ("Which file would you like as boot config?" -> 1,
                                /opt/vyatta/etc/config/config.boot)
  The installer copies VyOS only: the agent stays on the stick.
  Already installed without it? Plug the stick in and load it:
    sudo mount -o ro LABEL=<stick volume id> /mnt      (or the stick's device, e.g. /dev/sdb)
    configure
    load /mnt/${LAB_DIR}/config.boot
    commit
    save
    exit
`;
}
