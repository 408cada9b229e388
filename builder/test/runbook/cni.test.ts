// What the runbook says about the platform's pod network and its VIP, for the example lab.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '@lab/shared';
import { buildRunbook, renderMarkdown } from '../../src/runbook/index.js';

async function example(edit: (t: string) => string = (t) => t): Promise<Lab> {
  const r = parseLab(edit(await readFile('examples/genesis/lab.yaml', 'utf8')), 'lab.yaml');
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.lab;
}

describe('runbook: CNI and VIP', () => {
  it('says that Talos creates inline manifests once and gives the update path, where the first node turns Ready', async () => {
    const md = renderMarkdown(buildRunbook(await example(), { labArg: 'lab.yaml', stateDir: 'state' }));
    expect(md).toContain('kubectl --kubeconfig state/rendered/kubeconfig -n kube-system rollout status daemonset/cilium --timeout=10m');
    expect(md).toContain('Talos creates the objects of its inline manifests (Cilium, and Argo CD with the root application) only when they are missing: it never updates them');
    expect(md).toContain('talosctl --talosconfig state/rendered/talosconfig --nodes 10.10.30.10 upgrade-k8s --to v1.32.0');
    // talosctl talks to cp-1's own address, never to the VIP.
    expect(md).not.toMatch(/talosctl [^`\n]*10\.10\.30\.5\b/);
    expect(md).toContain('--endpoints 10.10.30.10 --nodes 10.10.30.10 bootstrap');
  });

  it('says nothing of Cilium for a flannel lab', async () => {
    const lab = await example((t) => t.replace('cni: { name: cilium, via: inline }', 'cni: flannel'));
    const md = renderMarkdown(buildRunbook(lab, { labArg: 'lab.yaml', stateDir: 'state' }));
    expect(md).not.toContain('daemonset/cilium');
    expect(md).not.toContain('inline manifests');
  });
});
