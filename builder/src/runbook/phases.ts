import { PHASES, STAGES, installDevice, type Host, type PhaseId, type StageId } from '@lab/shared';
import type { Block, Chapter, DoneWhen, Step } from './model.js';
import { hostAddress, vlanText, type RunbookContext } from './facts.js';
import { cniBlocks } from './cni.js';

/** The events that prove a host reached these stages, from the phase model. */
export function proofOf(stages: StageId[], sources?: readonly string[]): Block {
  const items = stages.flatMap((id) => {
    const def = STAGES.find((s) => s.id === id)!;
    return def.provenBy.filter((p) => sources === undefined || sources.includes(p.source)).map((p) => {
      const item: { source: string; kind: string; when?: string; meaning: string } = { source: p.source, kind: p.kind, meaning: `${def.title}: ${def.meaning}` };
      if (p.when) item.when = p.when;
      return item;
    });
  });
  return { type: 'proof', items };
}

/** Who reports for each kind of host (the rest of a stage's proofs cannot come from it). */
const GATEWAY = ['agent', 'gateway'] as const;
const TALOS = ['talos', 'kmsg', 'join'] as const;
const HARVESTER = ['pxe', 'harvester', 'join'] as const;
const TALOS_PXE = ['pxe', 'talos', 'kmsg', 'join'] as const;

const reach = (hosts: Host[], stage: StageId): DoneWhen[] => hosts.map((h) => ({ host: h.name, stage }));

function usbTarget(h: Host): string {
  return h.model.toLowerCase();
}

function phase1(c: RunbookContext): Step[] {
  const { lab } = c;
  const steps: Step[] = [];
  const gw = c.gatewayHost;
  const T = `${c.stateDir}/rendered/talosconfig`;
  const lab1 = `--lab ${c.labArg}`;
  const usbHosts = [...(gw ? [gw] : []), ...c.usbTalos];
  steps.push({
    id: 'write-sticks',
    title: 'Write the boot sticks',
    purpose: `One stick per USB-booted host: ${usbHosts.map((h) => `\`${h.name}\` (${h.model})`).join(', ')}. The gateway stick carries VyOS, the gateway configuration, the agent and this runbook; the Talos stick carries the node's machine configuration inside the ISO.`,
    blocks: [
      { type: 'commands', where: 'laptop', lines: [...usbHosts.map((h) => `builder make-usb --target ${usbTarget(h)} ${lab1}`), 'lsblk -d -o NAME,SIZE,TRAN,MODEL        # find the stick: TRAN usb', ...usbHosts.map((h) => `builder write --image ${c.stateDir}/media/${h.name}-${usbTarget(h)}.iso --device /dev/sdX   # the ${h.model} stick`)] },
      { type: 'note', text: '`builder write` refuses disks that are not removable/USB, are mounted or hold the laptop’s system, and reads the stick back to compare sha256. Label the sticks.' },
    ],
    stalls: [],
    // Both sticks are written in one sitting: the first host heard from proves it.
    doneWhen: reach(usbHosts.slice(0, 1), 'booted'),
  });
  if (gw) {
    const g = lab.gateway;
    steps.push({
      id: 'gateway-boot',
      title: `Boot the gateway (\`${gw.name}\`, ${gw.model}) from its stick`,
      purpose: `VyOS ${g?.vyos.release ?? ''} starts live from the stick with the lab's gateway configuration: ${lab.networks.filter((n) => n.vlan !== undefined).map((n) => `VLAN ${n.vlan}`).join(', ')}${g?.nat.masquerade.length ? ', NAT' : ''}${g?.dhcpRelay ? ', DHCP relay' : ''}. The agent on the stick reports the boot and${lab.pxe?.host === gw.name ? ' starts the PXE service' : ' its checks'}.`,
      blocks: [
        { type: 'list', ordered: true, items: [`Insert the gateway stick into the ${gw.model}, connect monitor and keyboard.`, `Power on; open the one-time boot menu and choose the USB stick (${gw.firmware.toUpperCase()}).`, 'Choose the default boot entry; wait for the `vyos login:` prompt (about two minutes).'] },
        proofOf(['booted', 'healthy'], GATEWAY),
      ],
      stalls: ['no-boot'],
      doneWhen: [{ host: gw.name, stage: 'booted' }],
    });
    steps.push({
      id: 'gateway-install',
      title: 'Install VyOS onto the gateway’s disk',
      purpose: 'So the gateway survives a reboot without the stick. Run it on the gateway console after the live boot; the lab configuration running now is the one to keep.',
      blocks: [
        // Booted with vyos-config= from the stick, the running configuration exists only in memory
        // until it is saved; the installer offers the saved file as the boot config.
        { type: 'commands', where: `gateway console (user vyos)`, lines: ['configure', 'save              # writes the running lab configuration to /config/config.boot', 'exit', 'install image'] },
        {
          type: 'prompts',
          title: 'Answers to the installer’s prompts',
          rows: [
            { prompt: 'Would you like to continue? [y/N]', answer: '`y`' },
            { prompt: 'What would you like to name this image? (Default: …)', answer: `Enter (keeps the release name${g ? `, ${g.vyos.release}` : ''})` },
            { prompt: 'Please enter a password for the "vyos" user:', answer: `the gateway password kept in \`${c.stateDir}/secrets/gateway.yaml\` (not printed here)` },
            { prompt: 'Please confirm password for the "vyos" user:', answer: 'the same password' },
            { prompt: 'What console should be used by default? (K: KVM, S: Serial)? (Default: K)', answer: '`K` (monitor and keyboard), or `S` if you use the serial console' },
            { prompt: 'Would you like to configure RAID-1 mirroring? [Y/n] (only with two disks)', answer: '`n`' },
            { prompt: 'Which one should be used for installation? (Default: /dev/sda)', answer: 'the internal disk — NOT the USB stick (the stick is the one with the size of your stick)' },
            { prompt: 'Installation will delete all data on the drive. Continue? [y/N]', answer: '`y`' },
            { prompt: 'Would you like to use all the free space on the drive? [Y/n]', answer: '`Y`' },
            { prompt: 'Which file would you like as boot config? (Default: 1)', answer: '`1` (`/opt/vyatta/etc/config/config.boot`, the running lab configuration)' },
          ],
        },
        { type: 'commands', where: 'gateway console', lines: ['reboot now        # remove the stick when the screen goes dark'] },
        { type: 'checks', items: ['After the reboot from disk, `show version` names the installed image', '`builder check gateway` (next step) passes again'] },
      ],
      stalls: [],
      doneWhen: [{ never: true }],
    });
    steps.push({
      id: 'gateway-check',
      title: 'Check the gateway: VLANs, NAT, relay',
      purpose: 'Prove the gateway routes what the next phases need before any host depends on it.',
      blocks: [
        { type: 'commands', where: 'laptop', lines: [`builder check gateway ${lab1}`] },
        { type: 'commands', where: `gateway (ssh vyos@${c.gatewayMgmt ?? 'the gateway'})`, lines: ['show interfaces', 'show nat source rules', 'show configuration commands | match dhcp-relay', ...(g?.bgp ? ['show ip bgp summary'] : [])] },
        {
          type: 'checks',
          items: [
            ...lab.networks.filter((n) => n.gateway).map((n) => `${vlanText(lab, n.name)}: \`${n.gateway}\` up`),
            ...(g?.nat.masquerade ?? []).map((m) => `NAT: \`${m.source}\` masqueraded out of \`${m.outbound}\``),
            ...(g?.dhcpRelay ? [`DHCP relay: ${g.dhcpRelay.networks.map((n) => vlanText(lab, n)).join(', ')} → \`${g.dhcpRelay.server}\``] : []),
            ...(g?.transit ? [`ping \`${g.transit.peer}\` (upstream) from the gateway answers`] : []),
          ],
        },
      ],
      stalls: [],
      doneWhen: [{ never: true }],
    });
  }
  for (const h of c.usbTalos) {
    const ip = hostAddress(h);
    steps.push({
      id: `boot-${h.name}`,
      title: `Boot \`${h.name}\` (${h.model}) from the Talos stick`,
      purpose: `Talos ${lab.clusters.platform?.talos ?? ''} boots with its machine configuration embedded, installs to ${h.installDisk?.path ?? `the ${[h.installDisk?.type, h.installDisk?.size].filter(Boolean).join(' ') || 'selected'} disk`} and reboots from disk. It reports to the collector's event sink (\`${c.collectorHost}:${lab.collector.talosEventsPort}\`) and kernel-log port from the first seconds.`,
      blocks: [
        { type: 'list', ordered: true, items: [`Insert the Talos stick, power on, choose the USB stick in the one-time boot menu (${h.firmware.toUpperCase()}).`, 'Wait: the console shows the install, then a reboot. Take the stick out when the machine reboots (the disk now boots).', `The node comes up at \`${ip ?? '(its address)'}\`.`] },
        proofOf(['booted', 'installing', 'installed'], TALOS),
      ],
      stalls: ['no-boot', 'install-not-started', 'config-error', 'install-slow'],
      doneWhen: [{ host: h.name, stage: 'installed' }],
    });
  }
  const cp = c.usbTalos.find((h) => h.role === 'controlplane') ?? c.usbTalos[0];
  const ip = cp ? hostAddress(cp) ?? c.platformEndpointIp : c.platformEndpointIp;
  if (cp && ip && lab.clusters.platform) {
    const K = `${c.stateDir}/rendered/kubeconfig`;
    steps.push({
      id: 'bootstrap',
      title: `Bootstrap etcd on \`${cp.name}\``,
      purpose: 'etcd starts only after one explicit bootstrap call, exactly once per cluster.',
      blocks: [
        { type: 'p', text: `Do it when the collector shows etcd on \`${cp.name}\` waiting for Bootstrap (its etcd service stays Preparing): \`builder bootstrap\` makes Talos's Bootstrap call through the collector's own Talos client, and \`builder collect --bootstrap\` makes it by itself at that moment. \`talosctl\` does the same.` },
        { type: 'commands', where: 'laptop', lines: [`builder bootstrap ${lab1}`, `talosctl --talosconfig ${T} --endpoints ${ip} --nodes ${ip} bootstrap   # the same call, if you prefer talosctl`, `talosctl --talosconfig ${T} --endpoints ${ip} --nodes ${ip} health --wait-timeout 15m`] },
        { type: 'note', text: 'Run bootstrap once. "AlreadyExists" means it was done: do not repeat it on another node.' },
        proofOf(['joined'], TALOS),
      ],
      stalls: ['not-joined'],
      doneWhen: [{ host: cp.name, stage: 'joined' }],
    });
    steps.push({
      id: 'kubeconfig',
      title: 'Fetch the kubeconfig',
      purpose: `Talk to the platform cluster at \`${lab.clusters.platform.endpoint}\`.`,
      blocks: [
        { type: 'commands', where: 'laptop', lines: [`talosctl --talosconfig ${T} --endpoints ${ip} --nodes ${ip} kubeconfig ${K}`, `kubectl --kubeconfig ${K} get nodes -o wide`] },
        ...cniBlocks(c, K, T, ip),
        { type: 'checks', items: [`\`${cp.name}\` is Ready with address \`${ip}\``] },
        proofOf(['healthy'], TALOS),
      ],
      stalls: ['not-healthy'],
      doneWhen: [{ host: cp.name, stage: 'healthy' }],
    });
    steps.push({
      id: 'argocd',
      title: 'Check Argo CD',
      purpose: 'Argo CD comes with the node’s configuration; the platform is installed through it from here on.',
      aliases: ['argocd-healthy'],
      blocks: [
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} -n argocd get pods`, `kubectl --kubeconfig ${K} -n argocd rollout status deployment/argocd-server --timeout=10m`, `kubectl --kubeconfig ${K} -n argocd get applications`] },
        { type: 'proof', items: [{ source: 'join', kind: 'join.argocd-healthy', meaning: 'The join watcher saw every Argo CD workload ready' }] },
        ...(lab.clusters.platform.gitops ? [{ type: 'checks' as const, items: [`The root application points at \`${lab.clusters.platform.gitops.repo}\` path \`${lab.clusters.platform.gitops.path}\` (revision ${lab.clusters.platform.gitops.revision})`] }] : []),
      ],
      stalls: ['argocd-not-healthy'],
      doneWhen: [{ check: 'argocd-healthy' }],
    });
  }
  return steps;
}

function phase2(c: RunbookContext): Step[] {
  const p = c.plan.phases.find((x) => x.id === 'single-node-platform');
  if (!p || p.checks.length === 0) return [];
  const K = `${c.stateDir}/rendered/kubeconfig`;
  const apps = p.checks.map((ch) => String(ch.match.app));
  return [
    {
      id: 'platform-apps',
      title: 'Watch Argo CD sync the platform',
      purpose: `Argo CD installs ${apps.map((a) => `\`${a}\``).join(' and ')} onto the single node. Nothing to type unless an application stays out of sync.`,
      aliases: p.checks.map((ch) => ch.id),
      blocks: [
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} -n argocd get applications ${apps.join(' ')}`, `kubectl --kubeconfig ${K} -n argocd get application ${apps[0]} -o jsonpath='{.status.health.status} {.status.sync.status}'`] },
        { type: 'proof', items: p.checks.map((ch) => ({ source: ch.source, kind: ch.kind, when: `attrs.app is ${String(ch.match.app)}, health Healthy, sync Synced`, meaning: ch.title })) },
      ],
      stalls: ['argocd-app-not-healthy'],
      doneWhen: p.checks.map((ch) => ({ check: ch.id })),
    },
  ];
}

function phase3(c: RunbookContext): Step[] {
  const { lab } = c;
  const hosts = lab.hosts.filter((h) => c.plan.hosts.find((p) => p.name === h.name)?.phase === 'harvester-online');
  if (hosts.length === 0) return [];
  const hv = lab.clusters.harvester;
  const first = hosts[0]!;
  return [
    {
      id: 'harvester-power-on',
      title: `Power on the Harvester hosts for PXE (${hosts.map((h) => `\`${h.name}\``).join(', ')})`,
      purpose: `Each ${first.model} network-boots from the PXE service${lab.pxe ? ` at \`${lab.pxe.address}\` on ${vlanText(lab, lab.pxe.network)}` : ''}, which recognises it by MAC and hands it the Harvester installer with its own configuration (${hosts.length > 1 ? `\`${first.name}\` creates the cluster, the others join it` : 'it creates the cluster'}).`,
      blocks: [
        { type: 'table', head: ['Host', 'PXE MAC', 'Address', 'Install disk', 'Mode'], rows: hosts.map((h, i) => [`\`${h.name}\``, `\`${h.nics.find((n) => n.untagged)?.mac ?? h.nics[0]?.mac ?? '—'}\``, `\`${hostAddress(h) ?? '—'}\``, `\`${installDevice(h) ?? '—'}\``, i === 0 ? 'create' : 'join']) },
        { type: 'list', ordered: true, items: [`Power on \`${first.name}\` first; wait until the dashboard shows it Installing.`, ...hosts.slice(1).map((h) => `Then power on \`${h.name}\`.`)] },
        proofOf(['pxe-dhcp', 'pxe-tftp', 'pxe-http'], HARVESTER),
      ],
      stalls: ['no-dhcp', 'no-tftp', 'no-http'],
      doneWhen: reach(hosts, 'pxe-http'),
    },
    {
      id: 'harvester-install',
      title: 'Harvester installs',
      purpose: 'The installer partitions the disk, installs and reboots; its webhooks report start and end.',
      blocks: [proofOf(['installing', 'installed'], HARVESTER), { type: 'note', text: 'An install takes 15–30 minutes per host. The hosts must boot from disk afterwards (see Firmware settings), or they PXE boot again — see “PXE loops after install”.' }],
      stalls: ['install-not-started', 'install-slow', 'install-failed', 'pxe-loop'],
      doneWhen: reach(hosts, 'installed'),
    },
    {
      id: 'harvester-cluster',
      title: 'Harvester forms its cluster',
      purpose: hv ? `The hosts join one HA cluster behind the VIP \`${hv.vip}\` (${vlanText(lab, hv.network)}).` : 'The hosts join one cluster.',
      blocks: [
        ...(hv ? [{ type: 'commands' as const, where: 'laptop', lines: [`curl -ks https://${hv.vip}/ping`, `# UI: https://${hv.vip}/  (set the admin password at first login)`] }] : []),
        { type: 'checks', items: [`Hosts → all of ${hosts.map((h) => `\`${h.name}\``).join(', ')} Active`] },
        proofOf(['joined', 'healthy'], HARVESTER),
      ],
      stalls: ['not-joined', 'not-healthy'],
      doneWhen: reach(hosts, 'healthy'),
    },
  ];
}

function phase4(c: RunbookContext): Step[] {
  const { lab } = c;
  const hosts = lab.hosts.filter((h) => c.plan.hosts.find((p) => p.name === h.name)?.phase === 'full-platform');
  if (hosts.length === 0) return [];
  const K = `${c.stateDir}/rendered/kubeconfig`;
  const T = `${c.stateDir}/rendered/talosconfig`;
  const ep = c.platformEndpointIp;
  return [
    {
      id: 'vm-create',
      title: `Create the Talos VMs on Harvester (${hosts.map((h) => `\`${h.name}\``).join(', ')})`,
      purpose: 'Each VM network-boots Talos from the PXE service, which knows it by its MAC: the MAC must be exactly the lab’s.',
      blocks: [
        { type: 'table', head: ['VM', 'MAC', 'Network', 'Address', 'Disk', 'Boot'], rows: hosts.map((h) => [`\`${h.name}\``, `\`${h.nics[0]?.mac ?? '—'}\``, h.nics[0]?.untagged ? vlanText(lab, h.nics[0].untagged) : '—', `\`${hostAddress(h) ?? '—'}\``, h.installDisk?.size ?? '—', `${h.firmware.toUpperCase()}, network first`]) },
        proofOf(['pxe-dhcp', 'pxe-tftp', 'pxe-http', 'booted', 'installing', 'installed'], TALOS_PXE),
      ],
      stalls: ['no-dhcp', 'no-tftp', 'no-http', 'install-not-started', 'install-slow'],
      doneWhen: reach(hosts, 'installed'),
    },
    {
      id: 'vm-join',
      title: 'The VMs join the platform control plane',
      purpose: `Each VM joins \`${lab.clusters.platform?.endpoint ?? 'the platform'}\` as a control-plane node: ${lab.clusters.platform?.hosts.length ?? hosts.length} etcd members in the end.`,
      blocks: [
        { type: 'commands', where: 'laptop', lines: [`kubectl --kubeconfig ${K} get nodes -o wide`, ...(ep ? [`talosctl --talosconfig ${T} --endpoints ${ep} --nodes ${ep} etcd members`] : [])] },
        { type: 'checks', items: [`${lab.clusters.platform?.hosts.map((n) => `\`${n}\``).join(', ') ?? 'every node'} Ready`, 'etcd lists one member per control-plane node'] },
        proofOf(['joined', 'healthy'], TALOS),
      ],
      stalls: ['not-joined', 'not-healthy'],
      doneWhen: reach(hosts, 'healthy'),
    },
  ];
}

const BUILDERS: Record<PhaseId, (c: RunbookContext) => Step[]> = {
  'direct-boot': phase1,
  'single-node-platform': phase2,
  'harvester-online': phase3,
  'full-platform': phase4,
};

/** One chapter per Genesis phase, ids and order from the phase model. */
export function phaseChapters(c: RunbookContext): Chapter[] {
  return PHASES.map((def) => {
    const planned = c.plan.phases.find((p) => p.id === def.id);
    const hosts = planned?.hosts ?? [];
    const intro: Block[] = [{ type: 'p', text: def.summary }];
    if (hosts.length > 0) {
      intro.push({
        type: 'table',
        head: ['Host', 'Stages the dashboard shows'],
        rows: hosts.map((n) => [`\`${n}\``, (c.plan.hosts.find((h) => h.name === n)?.path ?? []).map((s) => `[${STAGES.find((d) => d.id === s)?.title ?? s}](#${s})`).join(' → ')]),
      });
    } else {
      intro.push({ type: 'p', text: 'No host changes stage in this phase; it is done when its checks hold.' });
    }
    if (planned && planned.checks.length > 0) intro.push({ type: 'checks', items: planned.checks.map((ch) => `${ch.title} (\`${ch.id}\`)`) });
    return { id: def.id, title: `Phase ${def.number}: ${def.title}`, phase: def.number, intro, steps: BUILDERS[def.id](c), sections: [] };
  });
}
