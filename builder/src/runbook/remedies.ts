import { REMEDIES, REMEDY_IDS, STAGES, STALL_RULES, installDevice, type Host, type RemedyId } from '@lab/shared';
import type { Block, Chapter, Section } from './model.js';
import { cniRemedy } from './cni.js';
import { hostAddress, vlanText, type RunbookContext } from './facts.js';
import { harvesterStopBlocks } from './harvester-checks.js';

/**
 * Every remedy of the catalogue (REMEDIES: what status derivation can name, and the runbook-only
 * ones), with the stall rules that point at it: one runbook section each, the rules as aliases.
 */
export function remedyIds(): { id: RemedyId; title: string; rules: string[] }[] {
  return REMEDY_IDS.map((id) => ({ id, title: REMEDIES[id], rules: STALL_RULES.filter((r) => r.remedy === id).map((r) => r.id) }));
}

/** `host` → its value, for each of `hosts` in lab order: the per-host lists the remedies quote. */
function perHost(hosts: Host[], value: (h: Host) => string, separator: string): string {
  return hosts.map((h) => `\`${h.name}\` → ${value(h)}`).join(separator);
}

/** What to check and do for each remedy; the switch covers every RemedyId (the type checks it). */
function body(c: RunbookContext, id: RemedyId): Block[] {
  const { lab } = c;
  const pxe = lab.pxe;
  const relay = lab.gateway?.dhcpRelay;
  const K = `${c.stateDir}/rendered/kubeconfig`;
  const T = `${c.stateDir}/rendered/talosconfig`;
  const pxeHosts = c.pxeHosts.filter((h) => h.role !== 'vm');
  const talos = [...c.usbTalos, ...lab.hosts.filter((h) => h.role === 'vm')];
  switch (id) {
    case 'no-dhcp':
      return [
        { type: 'p', text: 'The PXE service has not seen a DHCP request from the host’s MAC.' },
        {
          type: 'list',
          items: [
            'Is the host on? Does its screen show the network boot ("PXE", "Start PXE over IPv4")? If it boots something else, fix the boot order (Pre-flight → Firmware).',
            `Is network boot enabled on the NIC with the lab's MAC? ${perHost(pxeHosts, (h) => `\`${h.nics.find((n) => n.untagged)?.mac ?? h.nics[0]?.mac ?? '?'}\``, ', ')}. A different MAC on the dashboard’s “unknown MACs” list means the lab file has the wrong MAC.`,
            ...(pxe ? [`The switch port must carry ${vlanText(lab, pxe.network)} untagged to the host (Pre-flight → Cabling).`, `The PXE service runs on \`${pxe.host}\` at \`${pxe.address}\`: is \`${pxe.host}\` Healthy on the dashboard?`] : []),
            ...(relay ? [`Hosts on ${relay.networks.map((n) => vlanText(lab, n)).join(', ')} reach it through the gateway's DHCP relay to \`${relay.server}\`: \`builder check gateway --lab ${c.labArg}\` checks the relay.`] : []),
          ],
        },
        ...(relay ? [{ type: 'commands' as const, where: 'gateway', lines: ['show configuration commands | match dhcp-relay', `monitor traffic interface ${lab.gateway?.ports.find((p) => p.role === 'trunk')?.name ?? 'eth1'} filter "port 67 or port 68"`] }] : []),
      ];
    case 'no-boot':
      return [
        { type: 'p', text: 'A USB-booted host has not reported its boot.' },
        {
          type: 'list',
          items: [
            'Look at its screen: did it boot from the stick? If it shows the firmware or an old system, pick the stick in the one-time boot menu; check UEFI mode and Secure Boot off (Pre-flight → Firmware).',
            `Talos hosts report to \`${c.collectorHost}:${lab.collector.talosEventsPort}\` (events) and \`${c.collectorHost}:${lab.collector.kmsgPort}\` (kernel log) over the lab network: the laptop must be at \`${c.collectorHost}\`${c.laptopNet ? ` on ${vlanText(lab, c.laptopNet.name)}` : ''} and \`builder collect\` running.`,
            'A Talos console stuck at “waiting for network” means no route to the collector: check the cable and the gateway (`builder check gateway`).',
            'Rewrite the stick (`builder write`) if the screen shows a boot error; the write verifies by reading back.',
          ],
        },
      ];
    case 'no-tftp':
      return [
        { type: 'p', text: 'The host got a DHCP answer but never fetched the iPXE loader over TFTP.' },
        { type: 'list', items: [`The firmware must reach \`${pxe?.address ?? 'the PXE service'}\` on UDP 69; a relayed network needs the gateway to route to it.`, 'BIOS hosts load `undionly.kpxe`, UEFI hosts `ipxe.efi`: a host in the wrong firmware mode may reject the loader — check Pre-flight → Firmware.', 'Secure Boot must be off (iPXE is not signed).'] },
      ];
    case 'no-http':
      return [
        { type: 'p', text: 'iPXE loaded but fetched nothing over HTTP.' },
        { type: 'list', items: [`iPXE fetches its script from \`http://${pxe?.address ?? 'PXE'}:${pxe?.httpPort ?? 8081}/\`: from the laptop, \`curl http://${pxe?.address ?? 'PXE'}:${pxe?.httpPort ?? 8081}/\` must answer.`, 'An iPXE console that pauses about 13 s on IPv6 is normal; longer means no IPv4 route.'] },
      ];
    case 'install-not-started':
      return [
        { type: 'p', text: 'The host booted but no install started. For Talos this is usually maintenance mode: Talos found no configuration.' },
        {
          type: 'list',
          items: [
            `The console says “maintenance mode” / “waiting for configuration”: the node found no config. For ${c.usbTalos.map((h) => `\`${h.name}\``).join(', ') || 'USB nodes'}, the stick was made without the embedded config or from another ISO — run \`builder media show\` on the image and rebuild with \`builder make-usb\`. For PXE nodes, the iPXE script must pass \`talos.config=\` with the host's config URL.`,
            ...talos.map((h) => `\`${h.name}\`: its config applies to MAC ${h.nics.map((n) => `\`${n.mac}\``).join(', ') || '—'}${hostAddress(h) ? ` and address \`${hostAddress(h)}\`` : ''}.`),
          ],
        },
        ...harvesterStopBlocks(lab),
        ...(c.usbTalos[0] && hostAddress(c.usbTalos[0]) ? [{ type: 'commands' as const, where: 'laptop', lines: [`talosctl --talosconfig ${T} --endpoints ${hostAddress(c.usbTalos[0])} --nodes ${hostAddress(c.usbTalos[0])} get machinestatus --insecure`] }] : []),
      ];
    case 'install-slow':
      return [
        { type: 'p', text: 'An install started but did not finish in time.' },
        { type: 'list', items: ['Look at the console: a download that is stuck points at the uplink (`builder check gateway` checks NAT).', 'Talos pulls its installer image from the internet: the lab needs a working default route through the gateway.', 'Harvester installs take up to 30 minutes on slow disks; wait one threshold more before acting.'] },
      ];
    case 'install-failed':
      return [
        { type: 'p', text: 'The installer reported a failure (Harvester webhook FAILED, or an agent report).' },
        { type: 'list', items: ["Harvester's FAILED webhook carries no reason: read the installer's screen on the host's console, or its log `/var/log/console.log` (harvester-installer writes it there).", `Wrong install disk: ${perHost(lab.hosts.filter((h) => installDevice(h)), (h) => `\`${installDevice(h)!}\``, ', ') || 'check installDisk in the lab'}.`, 'Re-run the install: Recovery → Reset a Harvester host.'] },
      ];
    case 'config-error':
      return [
        { type: 'p', text: 'Talos rejected its configuration (ConfigLoadErrorEvent).' },
        { type: 'list', items: [`Validate the rendered configs on the laptop: \`talosctl validate --config ${c.stateDir}/rendered/talos/<host>.yaml --mode metal\`.`, 'Fix the lab, `builder render`, rebuild the stick or let the PXE host boot again.'] },
      ];
    case 'not-back-from-reboot':
      return [
        { type: 'p', text: 'The installer wrote the disk and rebooted, but the host does not report from its installed system.' },
        { type: 'list', items: ['Talos reboots by kexec after an install: a blank screen for a minute is normal. If the firmware shows instead, the kexec failed and the host rebooted cold: the boot order must put the install disk before the stick or the network.', 'The host boots the installer again (the dashboard shows PXE or Installing again): see “PXE loops after install”.', 'A Harvester host comes back only as a node of its cluster (its API, over SSH with the lab key): `ssh rancher@<host address>` and `sudo journalctl -u rke2-server` show why it has not.'] },
      ];
    case 'harvester-reboot-failed':
      return [
        { type: 'p', text: 'Harvester sent SUCCEEDED (its disk is written) and then FAILED: the shutdown step after the install (`cos-installer-shutdown`) failed, so the host did not reboot.' },
        { type: 'list', items: ['The install itself is on the disk: reboot the host by hand (power button or BMC) and watch it come back.', 'If it boots the installer again, fix the boot order first (disk before network).'] },
      ];
    case 'declared-mismatch':
      return [
        { type: 'p', text: 'The cluster reports the host differently from the lab file: another disk, address, node name or role than declared.' },
        { type: 'list', items: [`Install disk: Talos chose the disk its \`installDisk\` selector matched: ${perHost(lab.hosts.filter((h) => h.installDisk), (h) => Object.entries(h.installDisk!).map(([k, v]) => `${k} ${String(v)}`).join(', '), '; ')}. A wrong disk means the selector matched more than one disk or not the one you meant: tighten it (model, serial) in the lab, \`builder render\`, and reinstall (Recovery).`, 'Address or node name: the host took another lease or hostname than declared; check its MAC and the DHCP reservations.', `List the disks Talos sees: \`talosctl --talosconfig ${T} --nodes <address> get disks\`.`] },
      ];
    case 'kernel-error':
      return [
        { type: 'p', text: 'The host’s kernel log has error-level lines (the dashboard shows the latest). They do not stop the bring-up by themselves, but disk and NIC errors (NVMe timeouts, link resets) often come before a failed install or a node that drops out.' },
        { type: 'list', items: [`Read the full kernel log: \`builder logs --lab ${c.labArg} HOST\` (HOST: the one the dashboard names).`, 'NVMe timeouts: reseat the drive, update its firmware, or try `nvme_core.default_ps_max_latency_us=0` on the kernel line.'] },
      ];
    case 'host-failed':
      return [{ type: 'p', text: 'A host reported a failure. The dashboard shows its reason; the host’s console shows the detail. Fix the cause, then follow Recovery for that host.' }];
    case 'not-joined':
      return [
        { type: 'p', text: 'The host is installed but has not joined its cluster.' },
        {
          type: 'list',
          items: [
            ...(lab.clusters.platform ? [`Platform: was etcd bootstrapped once? \`talosctl --talosconfig ${T} --endpoints ${c.platformEndpointIp} --nodes ${c.platformEndpointIp} service etcd\`. Joining nodes need \`${lab.clusters.platform.endpoint}\` reachable.`] : []),
            ...(lab.clusters.harvester ? [`Harvester: joining hosts need the first host up and the VIP \`${lab.clusters.harvester.vip}\` answering (\`curl -ks https://${lab.clusters.harvester.vip}/ping\`); a wrong token or VIP in the join config fails silently — compare the rendered Harvester configs.`, 'Harvester join also fails when host clocks differ: check NTP through the gateway.'] : []),
          ],
        },
      ];
    case 'not-healthy':
      return [
        { type: 'p', text: 'The host joined but does not report healthy.' },
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} get nodes -o wide`, `kubectl --kubeconfig ${K} get pods -A --field-selector=status.phase!=Running`, ...(c.platformEndpointIp ? [`talosctl --talosconfig ${T} --endpoints ${c.platformEndpointIp} --nodes ${c.platformEndpointIp} health`] : [])] },
        ...cniRemedy(lab),
      ];
    case 'argocd-not-healthy':
      return [
        { type: 'p', text: 'Argo CD does not become healthy.' },
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} -n argocd get pods`, `kubectl --kubeconfig ${K} -n argocd describe pods | grep -A5 Events`] },
        { type: 'list', items: ['Pods in ImagePullBackOff: the node cannot reach the registry — check NAT and DNS (`builder check gateway`).', 'Pods Pending: the single node must allow workloads on control planes (allowSchedulingOnControlPlanes in the lab).'] },
      ];
    case 'argocd-app-not-healthy':
      return [
        { type: 'p', text: 'An Argo CD application does not become Synced and Healthy.' },
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} -n argocd get applications`, `kubectl --kubeconfig ${K} -n argocd get application <name> -o yaml | less`] },
        { type: 'list', items: [...(lab.clusters.platform?.gitops ? [`The source is \`${lab.clusters.platform.gitops.repo}\` path \`${lab.clusters.platform.gitops.path}\`; a repository the cluster cannot reach leaves every application Unknown.`] : []), 'OutOfSync with an error: read `.status.conditions`; Progressing for long: look at the application’s pods.'] },
      ];
    case 'pxe-loop':
      return [
        { type: 'p', text: 'A host installs, reboots and PXE boots the installer again.' },
        { type: 'list', items: ['Boot order: disk first, then network (Pre-flight → Firmware). An empty disk still falls through to PXE; an installed one boots.', 'Harvester: after the reboot the PXE service sees the same MAC again — the dashboard shows PXE events after Installed. Stop the host, fix the boot order, power on.'] },
      ];
    case 'unknown-mac':
      return [
        { type: 'p', text: 'The PXE service sees a machine whose MAC is not in the lab file. It gets no boot answer (the PXE service boots only the lab’s MACs), so nothing is installed on it.' },
        {
          type: 'list',
          items: [
            'Is it one of the lab’s hosts with a NIC the lab file does not list (a second port, a replaced board)? Compare the MAC on the dashboard with the sticker or the firmware’s network page, correct `nics[].mac` in the lab file, then `builder render` and restart `builder collect`.',
            'Is it a machine that should not network boot on this VLAN? Switch its boot order to disk, or move its port off the PXE network.',
            `Lab hosts that PXE boot: ${perHost(c.pxeHosts, (h) => h.nics.map((n) => `\`${n.mac}\``).join(', ') || '—', '; ') || 'none'}.`,
          ],
        },
      ];
  }
}

/** What to do when a stage stalls or fails: one section per remedy id of the phase model. */
export function stallsChapter(c: RunbookContext): Chapter {
  const sections: Section[] = remedyIds().map((r) => ({
    id: r.id,
    title: r.title,
    aliases: r.rules,
    blocks: [
      ...(r.rules.length > 0
        ? [{ type: 'note' as const, text: `Raised by ${r.rules.map((id) => { const rule = STALL_RULES.find((x) => x.id === id)!; return `\`${id}\` (${STAGES.find((s) => s.id === rule.stage)?.title ?? rule.stage} for ${rule.minutes} min: ${rule.missing})`; }).join('; ')}.` }]
        : []),
      ...body(c, r.id),
    ],
  }));
  return { id: 'stalls', title: 'When it stalls', intro: [{ type: 'p', text: 'The dashboard and `builder next` link each stalled or failed stage here. Thresholds are the phase model’s defaults.' }], steps: [], sections };
}

/** Stage reference: what each stage means and which events prove it. */
export function stagesChapter(): Chapter {
  return {
    id: 'stages',
    title: 'Stages the dashboard shows',
    intro: [{ type: 'p', text: 'Each host moves along its path of stages; an event from the listed source proves each one.' }],
    steps: [],
    sections: STAGES.map((s) => ({
      id: s.id,
      title: s.title,
      blocks: [
        { type: 'p', text: s.meaning },
        ...(s.provenBy.length > 0 ? [{ type: 'proof' as const, items: s.provenBy.map((p) => ({ source: p.source, kind: p.kind, ...(p.when ? { when: p.when } : {}), meaning: s.title })) }] : []),
      ],
    })),
  };
}
