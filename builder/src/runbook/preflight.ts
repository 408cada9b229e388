import type { Host } from '@lab/shared';
import type { Block, Chapter } from './model.js';
import { vlanText, type RunbookContext } from './facts.js';

function firmwareRow(c: RunbookContext, h: Host): string[] {
  const mode = h.firmware === 'uefi' ? 'UEFI (CSM/legacy off)' : 'Legacy BIOS';
  if (h.boot === 'usb') {
    return [`\`${h.name}\` (${h.model})`, mode, 'Secure Boot off', 'USB first for this boot (one-time boot menu), internal disk second', '—'];
  }
  const pxeNic = h.nics.find((n) => n.untagged !== undefined) ?? h.nics[0];
  const nic = pxeNic ? `PXE (IPv4) on the NIC with MAC \`${pxeNic.mac}\`${pxeNic.untagged ? `, untagged on ${vlanText(c.lab, pxeNic.untagged)}` : ''}; IPv6 PXE off` : 'PXE on the NIC cabled to the provisioning network';
  return [`\`${h.name}\` (${h.model})`, mode, 'Secure Boot off', 'internal disk first, then network (PXE): an empty disk falls through to PXE, an installed one boots, so there is no PXE loop', nic];
}

/** Cabling per gateway port, switch port settings per host NIC, firmware per host, what to have at hand. */
export function preflightChapter(c: RunbookContext): Chapter {
  const { lab } = c;
  const gw = lab.gateway;
  const cabling: Block[] = [];
  if (gw) {
    cabling.push({
      type: 'table',
      head: ['Gateway port', 'Role', 'Carries', 'Plug in'],
      rows: gw.ports.map((p) => {
        const hosts = lab.hosts.filter((h) => h.nics.some((n) => n.port === p.name)).map((h) => `\`${h.name}\` (${h.model}, ${h.nics.filter((n) => n.port === p.name).map((n) => `MAC \`${n.mac}\``).join(', ')})`);
        const carries = [...(p.native ? [`untagged ${vlanText(lab, p.native)}`] : []), ...(p.vlans.length > 0 ? [`tagged ${p.vlans.map((v) => vlanText(lab, v)).join(', ')}`] : [])].join('; ');
        const target = p.role === 'wan' ? `upstream router${gw.transit?.port === p.name ? ` (\`${gw.transit.peer}\`)` : ''}` : p.role === 'trunk' ? 'the lab switch’s trunk port' : '';
        return [`\`${p.name}\``, p.role, carries || (gw.transit?.port === p.name ? `untagged ${vlanText(lab, gw.transit.network)}` : '—'), [p.description, target, ...hosts].filter(Boolean).join('; ')];
      }),
    });
  }
  const switched = lab.hosts.flatMap((h) => h.nics.filter((n) => n.port === undefined && h.role !== 'vm').map((n) => ({ h, n })));
  if (switched.length > 0) {
    cabling.push({ type: 'p', text: 'Lab switch ports for the hosts cabled to the switch (set each port before powering the host on):' });
    cabling.push({
      type: 'table',
      head: ['Host', 'NIC MAC', 'Untagged (access/PVID)', 'Tagged'],
      rows: switched.map(({ h, n }) => [`\`${h.name}\``, `\`${n.mac}\``, n.untagged ? vlanText(lab, n.untagged) : '—', n.tagged.map((t) => vlanText(lab, t)).join(', ') || '—']),
    });
  }
  if (c.laptopNet) {
    const prefix = c.laptopNet.cidr.split('/')[1];
    cabling.push({ type: 'p', text: `The laptop: a switch port untagged on ${vlanText(lab, c.laptopNet.name)}, static address \`${c.collectorHost}/${prefix}\`${c.laptopNet.gateway ? `, gateway \`${c.laptopNet.gateway}\`` : ''} (the collector URL in the lab is \`${lab.collector.url}\`).` });
  }
  const vms = lab.hosts.filter((h) => h.role === 'vm');
  if (vms.length > 0) {
    cabling.push({ type: 'p', text: `Virtual machines (${vms.map((h) => `\`${h.name}\``).join(', ')}) have no cable: their virtual NICs are set in phase 4.` });
  }

  const atHand: string[] = [
    'The laptop with this repository, Node 20, and `builder` built (`npm run build`)',
    `${1 + (c.usbTalos.length > 0 ? 1 : 0)} USB sticks of at least 4 GB (everything on them is erased)`,
    `A monitor and keyboard for ${[c.gatewayHost?.name, ...c.usbTalos.map((h) => h.name)].filter(Boolean).map((n) => `\`${n}\``).join(' and ')} (installer prompts and firmware menus)`,
    'Patch cables for every port in the cabling table, and the lab switch configured as below',
    `\`talosctl\` (${lab.clusters.platform?.talos ?? 'the lab’s Talos version'}) and \`kubectl\` on the laptop`,
    `The lab's secrets in \`${c.stateDir}/secrets\` (created by \`builder secrets init\`; back them up — they hold the cluster keys)`,
    'This runbook printed, or open from the gateway stick',
  ];

  const lab1 = `--lab ${c.labArg}`;
  const prepare: Block[] = [
    { type: 'p', text: 'While the laptop still has internet access (the image sync downloads and verifies the ISOs):' },
    {
      type: 'commands',
      where: 'laptop',
      lines: [
        `builder validate ${lab1}`,
        `builder secrets init ${lab1}`,
        `builder images sync ${lab1}`,
        `builder render ${lab1}`,
        `builder runbook ${lab1}`,
      ],
    },
    { type: 'checks', items: ['`builder validate` prints "valid"', '`builder images list` shows every image `[cached]`', `\`${c.stateDir}/rendered\` holds the Talos configs, \`talosconfig\`, \`kubeconfig\` and \`vyos/config.boot\``] },
  ];

  return {
    id: 'preflight',
    title: 'Pre-flight',
    intro: [{ type: 'p', text: 'Do all of this before powering anything on. Nothing here needs the lab network.' }],
    steps: [],
    sections: [
      { id: 'at-hand', title: 'What to have at hand', blocks: [{ type: 'list', items: atHand }] },
      { id: 'prepare', title: 'Prepare configs and images', blocks: prepare },
      { id: 'cabling', title: 'Cabling', blocks: cabling },
      {
        id: 'firmware',
        title: 'Firmware settings per host',
        blocks: [
          { type: 'table', head: ['Host', 'Mode', 'Secure Boot', 'Boot order', 'Network boot'], rows: lab.hosts.filter((h) => h.role !== 'vm').map((h) => firmwareRow(c, h)) },
          ...(vms.length > 0 ? [{ type: 'p' as const, text: `Harvester VMs (${vms.map((h) => `\`${h.name}\``).join(', ')}): ${vms[0]!.firmware === 'uefi' ? 'UEFI' : 'BIOS'} firmware, boot order network then disk, set when the VM is created in phase 4.` }] : []),
        ],
      },
      {
        id: 'collector',
        title: 'Start the collector',
        blocks: [
          { type: 'p', text: `Plug the laptop in as described under Cabling, then start the collector and open its dashboard (http://127.0.0.1:${lab.collector.listen.split(':').pop()}/ on the laptop). Leave it running for the whole bring-up.` },
          { type: 'commands', where: 'laptop', lines: [`builder collect ${lab1}`, `builder status ${lab1}   # in a second terminal, any time`] },
        ],
      },
    ],
  };
}
