import type { Chapter } from './model.js';
import { vlanText, type RunbookContext } from './facts.js';

/** Chapter 0: the lab at a glance, the page printed first. */
export function overviewChapter(c: RunbookContext): Chapter {
  const { lab } = c;
  const phaseOf = new Map(c.plan.hosts.map((h) => [h.name, h.phase]));
  const phaseNo = new Map(c.plan.phases.map((p) => [p.id, p.number]));
  return {
    id: 'overview',
    title: 'The lab at a glance',
    intro: [
      { type: 'p', text: `This runbook brings the ${lab.site.name} lab (${lab.site.domain}) up from bare metal in ${c.plan.phases.length} phases. Every value in it comes from \`${c.labArg}\`; regenerate it with \`builder runbook --lab ${c.labArg}\` after changing the lab.` },
      { type: 'p', text: `The collector on the laptop (${lab.collector.url}) receives every event named under "Proof". Its dashboard links each stalled stage to the matching section of this runbook; \`builder next\` prints the next step.` },
    ],
    steps: [],
    sections: [
      {
        id: 'hosts',
        title: 'Hosts',
        blocks: [
          {
            type: 'table',
            head: ['Host', 'Model', 'Role', 'Boot', 'Firmware', 'Addresses', 'NIC MACs', 'Phase'],
            rows: lab.hosts.map((h) => [
              `\`${h.name}\``,
              h.model,
              h.role,
              h.boot,
              h.firmware.toUpperCase(),
              h.addresses.map((a) => `\`${a.address}\` on ${vlanText(lab, a.network)}`).join(', ') || '—',
              h.nics.map((n) => `\`${n.mac}\``).join(', ') || '—',
              String(phaseNo.get(phaseOf.get(h.name) ?? 'direct-boot') ?? ''),
            ]),
          },
        ],
      },
      {
        id: 'networks',
        title: 'Networks',
        blocks: [
          {
            type: 'table',
            head: ['Network', 'VLAN', 'CIDR', 'Gateway', 'Purpose', 'DHCP'],
            rows: lab.networks.map((n) => [
              `\`${n.name}\``,
              n.vlan !== undefined ? String(n.vlan) : 'untagged',
              `\`${n.cidr}\``,
              n.gateway ? `\`${n.gateway}\`` : '—',
              n.description ? `${n.purpose} — ${n.description}` : n.purpose,
              n.dhcp ? `\`${n.dhcp.start}\`–\`${n.dhcp.end}\` (${n.dhcp.server === 'pxe' ? 'PXE service' : 'gateway'})` : '—',
            ]),
          },
        ],
      },
      {
        id: 'services',
        title: 'Services and endpoints',
        blocks: [
          {
            type: 'table',
            head: ['What', 'Where'],
            rows: [
              ['Collector (laptop)', `\`${lab.collector.url}\`, Talos event sink \`${c.collectorHost}:${lab.collector.talosEventsPort}\`, kernel log \`${c.collectorHost}:${lab.collector.kmsgPort}\``],
              ...(lab.pxe ? [['PXE service', `\`${lab.pxe.address}\` on ${vlanText(lab, lab.pxe.network)} (${lab.pxe.mode} DHCP, HTTP port ${lab.pxe.httpPort}), run by the agent on \`${lab.pxe.host}\``]] : []),
              ...(lab.gateway?.dhcpRelay ? [['DHCP relay', `${lab.gateway.dhcpRelay.networks.map((n) => vlanText(lab, n)).join(', ')} → \`${lab.gateway.dhcpRelay.server}\``]] : []),
              ...(lab.gateway?.transit ? [['Uplink', `\`${lab.gateway.transit.address}\` on ${lab.gateway.transit.port}, upstream router \`${lab.gateway.transit.peer}\``]] : []),
              ...(lab.clusters.platform ? [['Platform cluster', `\`${lab.clusters.platform.endpoint}\`, Talos ${lab.clusters.platform.talos}, Kubernetes ${lab.clusters.platform.kubernetes}`]] : []),
              ...(lab.clusters.harvester ? [['Harvester', `VIP \`${lab.clusters.harvester.vip}\` on ${vlanText(lab, lab.clusters.harvester.network)}, version ${lab.clusters.harvester.version}`]] : []),
            ],
          },
        ],
      },
    ],
  };
}
