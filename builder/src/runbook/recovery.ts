import { PHASES } from '@lab/shared';
import type { Chapter, Section } from './model.js';
import { hostAddress, type RunbookContext } from './facts.js';

/** Resetting a node, re-running a phase. */
export function recoveryChapter(c: RunbookContext): Chapter {
  const { lab } = c;
  const T = `${c.stateDir}/rendered/talosconfig`;
  const talos = lab.hosts.filter((h) => h.role === 'controlplane' || h.role === 'vm');
  const sections: Section[] = [];
  if (talos.length > 0) {
    sections.push({
      id: 'reset-talos-node',
      title: 'Reset a Talos node',
      blocks: [
        { type: 'p', text: 'Wipes the node’s state and reboots it into a fresh install from its boot medium (USB stick or PXE). Never reset the last control-plane node of a running cluster unless you mean to rebuild the cluster.' },
        { type: 'commands', where: 'laptop', lines: talos.filter((h) => hostAddress(h)).map((h) => `talosctl --talosconfig ${T} --endpoints ${hostAddress(h)} --nodes ${hostAddress(h)} reset --graceful=false --reboot --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL   # ${h.name}`) },
        { type: 'p', text: 'A node that no longer answers: boot it from its stick (USB) or from the network (PXE) and let it reinstall; the collector shows the stages again from Booted.' },
      ],
    });
  }
  if (lab.hosts.some((h) => h.role === 'harvester')) {
    sections.push({
      id: 'reset-harvester-node',
      title: 'Reset a Harvester host',
      blocks: [
        { type: 'list', ordered: true, items: ['In the Harvester UI, remove the host (Hosts → ⋮ → Delete) if it had joined.', 'Boot it into the PXE installer again: choose network boot once from the firmware menu (the boot order stays disk first).', 'The installer reinstalls onto the lab’s install disk and rejoins the cluster.'] },
      ],
    });
  }
  if (c.gatewayHost) {
    sections.push({
      id: 'reset-gateway',
      title: 'Restore the gateway',
      blocks: [
        { type: 'p', text: 'Boot the gateway from its stick again: the live system runs the lab configuration exactly as rendered. To put the rendered configuration onto an installed gateway instead:' },
        { type: 'commands', where: 'laptop', lines: [`builder apply gateway --lab ${c.labArg}`, `builder check gateway --lab ${c.labArg}`] },
      ],
    });
  }
  for (const p of PHASES) {
    const hosts = c.plan.phases.find((x) => x.id === p.id)?.hosts ?? [];
    sections.push({
      id: `rerun-${p.id}`,
      title: `Re-run phase ${p.number}: ${p.title}`,
      blocks: [
        {
          type: 'p',
          text:
            hosts.length > 0
              ? `Reset ${hosts.map((h) => `\`${h}\``).join(', ')} as above, then follow [Phase ${p.number}](#${p.id}) from its first step. The collector keeps the old events; the stages restart from the new boot.`
              : `Nothing to reset: Argo CD re-syncs by itself. Force it with \`kubectl -n argocd patch application <name> --type merge -p '{"operation":{"sync":{}}}'\` and follow [Phase ${p.number}](#${p.id}).`,
        },
      ],
    });
  }
  return { id: 'recovery', title: 'Recovery', intro: [{ type: 'p', text: 'Undo and redo: every phase can be re-run; nothing in the earlier phases depends on the later ones.' }], steps: [], sections };
}
