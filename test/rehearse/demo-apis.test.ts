import http from 'node:http';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKubeconfig, parseTalosconfig } from '../../builder/src/collector/join/credentials.js';
import { KubeApi } from '../../builder/src/collector/join/kube-api.js';
import { TalosApi } from '../../builder/src/collector/join/talos-api.js';
import { DEMO_CILIUM_INSTALL } from '../../builder/src/rehearse/demo-cni.js';
import { DEMO_ARGOCD_INSTALL, DEMO_MACHINED_PORT, DemoArgoCd, nodeMachined, parseMachineState, startDemoApid, startDemoKube, type KubeState } from '../../builder/src/rehearse/demo-apis/index.js';
import { exampleLab, labCredentials } from '../join/lab-credentials.js';

// The demo stand-ins with the collector's own clients (grpc-js over mutual TLS, HTTPS with the
// admin certificate). The node's side is played here by a loopback HTTP server serving state
// lines as the demo node's busybox httpd does, and by curl as the demo node's kubelet runs it.
// Not modelled by the stand-ins: see builder/src/rehearse/demo-apis/*.ts and docs/rehearse.md.

const lab = exampleLab();
const creds = labCredentials(lab);
const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

const WAITING = `hostname cp-1
version v1.12.0
service apid Running healthy
service etcd Preparing unknown Running pre state
service kubelet Running healthy
disk /dev/nvme0n1 512000000000 nvme 1 demo-cp-1 QEMU NVMe Ctrl
`;

describe('the demo apid', () => {
  it('answers from the machined at the caller\'s address, and relays Bootstrap to it', async () => {
    let text = WAITING;
    const posts: string[] = [];
    const node = http.createServer((req, res) => {
      if (req.method === 'POST') {
        posts.push(req.url!);
        const first = !text.includes('etcd cp-1');
        if (first) text = text.replace('service etcd Preparing unknown Running pre state', 'service etcd Running healthy').concat('etcd cp-1\n');
        return res.end(first ? 'ok\n' : 'already\n');
      }
      res.end(req.url === '/state' ? text : '');
    });
    await new Promise<void>((r) => node.listen(DEMO_MACHINED_PORT, '127.0.0.1', r));
    const apid = await startDemoApid(nodeMachined(), creds.osCa, creds.apidCert);
    closers.push(apid.close);
    const api = new TalosApi(parseTalosconfig(creds.talosconfig, 'talosconfig'), `127.0.0.1:${apid.port}`);
    closers.push(() => api.close());
    expect((await api.version()).hostname).toBe('cp-1');
    expect((await api.services()).services.find((s) => s.id === 'etcd')).toMatchObject({ state: 'Preparing', healthUnknown: true });
    await expect(api.etcdMembers()).rejects.toThrow(/connection refused/);
    expect(await api.disks()).toEqual([expect.objectContaining({ device: '/dev/nvme0n1', size: 512e9, type: 'nvme', system: true, serial: 'demo-cp-1', model: 'QEMU NVMe Ctrl' })]);
    await api.bootstrap();
    expect((await api.etcdMembers()).members.map((m) => m.hostname)).toEqual(['cp-1']);
    await expect(api.bootstrap()).rejects.toThrow(/etcd data directory is not empty/);
    expect(posts).toEqual(['/cgi-bin/bootstrap', '/cgi-bin/bootstrap']);
    expect(new Set(apid.calls.map((c) => `${c.org} ${c.peer}`))).toEqual(new Set(['os:admin 127.0.0.1']));
    // The node gone (its machined no longer answers): every call fails UNAVAILABLE, as a dead node's apid would not answer.
    await new Promise<void>((r) => node.close(() => r()));
    await expect(api.version()).rejects.toThrow(/machined is not answering/);
    expect(parseMachineState('service apid Running healthy\n')).toBeUndefined();
  });
});

describe('the demo Kubernetes API and Argo CD', () => {
  it('takes a node\'s registration and Ready by its bootstrap token (curl, as the demo kubelet), serves it to the watcher, and refuses strangers', async () => {
    const token = 'abcdef.0123456789abcdef';
    const state: KubeState = { nodes: [] };
    const argo = new DemoArgoCd(state, { namespace: 'argocd', platformApps: ['crossplane', 'tinkerbell'], stepMs: 50 });
    const kube = await startDemoKube(state, creds.k8sCa, creds.kubeCert, { writers: { tokens: [token], onManifest: (n, y) => argo.apply(n, y) } });
    closers.push(kube.close);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/demo-kube-');
    writeFileSync(`${dir}/ca.pem`, creds.k8sCa);
    const curl = (args: string[]) => execa('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', `${dir}/ca.pem`, ...args], { reject: false });
    const register = JSON.stringify({ metadata: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { conditions: [{ type: 'Ready', status: 'False' }], addresses: [{ type: 'InternalIP', address: '10.10.30.10' }] } });
    expect((await curl(['-X', 'POST', '-H', 'Authorization: Bearer wrong', '--data-binary', register, `${kube.origin}/api/v1/nodes`])).stdout).toBe('401');
    expect((await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, '--data-binary', register, `${kube.origin}/api/v1/nodes`])).stdout).toBe('201');
    const watcher = new KubeApi({ ...parseKubeconfig(creds.kubeconfig, 'kubeconfig'), server: kube.origin });
    const nodes = await watcher.get<{ items: { metadata: { name: string; labels: Record<string, string> }; status: { conditions: { status: string; message: string }[] } }[] }>('/api/v1/nodes');
    expect(nodes.items[0]!.status.conditions[0]).toMatchObject({ status: 'False', message: expect.stringContaining('cni plugin not initialized') });
    await expect(watcher.get('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications')).rejects.toThrow(/404/);

    // Talos applies its inline manifests; nothing runs while the node is NotReady.
    const root = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: genesis-root\n  namespace: argocd\n';
    for (const [n, y] of [['argocd-install', DEMO_ARGOCD_INSTALL], ['argocd-root-application', root]] as const) expect((await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, '--data-binary', y, `${kube.origin}/demo/v1/manifests/${n}`])).stdout).toBe('200');
    // A joining node's kubelet asks for the cluster's DaemonSets (the CNI's): none before the CNI's manifest, then cilium.
    const daemonSets = async () => (await execa('curl', ['-sS', '--cacert', `${dir}/ca.pem`, '-H', `Authorization: Bearer ${token}`, `${kube.origin}/apis/apps/v1/daemonsets`])).stdout;
    expect(JSON.parse(await daemonSets())).toEqual({ kind: 'DaemonSetList', items: [] });
    expect((await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, '--data-binary', DEMO_CILIUM_INSTALL, `${kube.origin}/demo/v1/manifests/cilium`])).stdout).toBe('200');
    expect(JSON.parse(await daemonSets()).items).toEqual([{ metadata: { name: 'cilium', namespace: 'kube-system' } }]);
    argo.tick(Date.now() + 10_000);
    expect(state.argocd!.workloads.every((w) => w.available === 0)).toBe(true);
    expect(state.argocd!.apps).toEqual([{ name: 'genesis-root', health: 'Unknown', sync: 'Unknown' }]);

    expect((await curl(['-X', 'PATCH', '-H', `Authorization: Bearer ${token}`, '--data-binary', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } }), `${kube.origin}/api/v1/nodes/cp-1/status`])).stdout).toBe('200');
    const t0 = Date.now();
    const seen: string[] = [];
    for (let t = t0; t < t0 + 2000; t += 25) {
      argo.tick(t);
      const tb = state.argocd!.apps.find((a) => a.name === 'tinkerbell');
      const line = `${state.argocd!.workloads.filter((w) => w.available > 0).length}/${state.argocd!.workloads.length} ${state.argocd!.apps.map((a) => `${a.name}:${a.sync}/${a.health}`).join(' ')}`;
      if (seen.at(-1) !== line) seen.push(line);
      if (tb?.health === 'Healthy') break;
    }
    // Argo CD's workloads come up, then the root app syncs, then each platform app goes Missing → Progressing → Healthy.
    expect(seen[0]).toBe('0/7 genesis-root:Unknown/Unknown');
    expect(seen).toContain('7/7 genesis-root:Unknown/Unknown');
    expect(seen).toContain('7/7 genesis-root:Synced/Healthy crossplane:OutOfSync/Missing tinkerbell:OutOfSync/Missing');
    expect(seen.at(-1)).toBe('7/7 genesis-root:Synced/Healthy crossplane:Synced/Healthy tinkerbell:Synced/Healthy');
  });
});
