import { resolve } from 'node:path';
import { cniPlan } from '@lab/shared';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { UserError } from '../base/index.js';
import { parseFlags } from './args.js';
import { MANIFEST_FLAGS, manifestChoice } from './manifest-flags.js';
import { EXIT } from './exit.js';
import { requireLabAndState } from '../lab/index.js';
import { certificateExpiries, loadSecrets, secretPaths } from '../secrets/index.js';
import { labBootTree } from '../boot-tree/index.js';
import { SERVED_PXE_DIRS } from '../media/rendered.js';
import { applyRender, ARGOCD_IMAGE, checkRender, pinnedManifests, RenderError, renderLab, sha256 } from '../render/index.js';

export const renderCommand: Command = {
  name: 'render',
  help: `Usage: builder render [--lab FILE] [--state DIR] [--out DIR] [--check] [--json]
                      [--argocd-manifest FILE | --without-argocd] [--cilium-manifest FILE | --without-cni]
                      [--cache DIR] [--without-boot-assets]

Renders, from the lab and its secrets (\`builder secrets init\` first), into <state>/rendered:
  talos/<host>.yaml        Talos v1.12 multi-document machine config per platform host (0600)
  talosconfig, kubeconfig  admin client configs (0600)
  harvester/<host>.yaml    Harvester install config, create for the first host, join for the rest (0600)
  ipxe/<mac>.ipxe          iPXE script per PXE-booted host (served by the PXE service)
  tinkerbell/<host>.yaml   Tinkerbell Hardware per PXE-booted host
  vyos/config.boot, vyos/commands.sh   the gateway configuration (0600)
The same lab and secrets give byte-identical files; each is written atomically.
When the platform cluster has gitops, the Talos configs carry Argo CD's install manifest from
the image cache (image ${ARGOCD_IMAGE}, checksum-verified) or from --argocd-manifest FILE.
When its cni is { name: cilium, via: inline }, they carry the pre-rendered Cilium manifest pinned
in images.yaml (image cilium-install unless cni.image says otherwise) or --cilium-manifest FILE,
after checking it was rendered for the lab's kube-proxy and KubePrism settings.
Every file the iPXE scripts, the Harvester configs and the PXE service's DHCP answers name (the
iPXE loaders, kernels, initrds, the Harvester rootfs and ISO) must be rendered here or be an
image of images.yaml served at that path (\`serve:\`) and in the cache; render refuses otherwise,
listing each missing file, the script that names it and the command that fetches it.

  --lab FILE               the lab file (default: ${LAB_DEFAULT})
  --state DIR              the state directory (default: <lab dir>/state)
  --out DIR                output directory (default: <state>/rendered)
  --check                  write nothing; list files that differ from disk; exit 1 if any do
  --json                   print {"out", "files": [{path, mode, sha256}], "differences"} instead of text
  --argocd-manifest FILE   Argo CD install.yaml to embed (instead of the image cache)
  --cilium-manifest FILE   the pre-rendered Cilium manifest to embed (instead of the image cache)
  --without-cni            render the Talos configs without the Cilium inline manifest (the node
                           stays NotReady until you apply a CNI yourself)
  --without-argocd         render the Talos configs without the Argo CD bootstrap (no inline
                           manifests; install Argo CD yourself after the cluster is up)
  --cache DIR              image cache directory (default: see \`builder images list --help\`)
  --without-boot-assets    write the scripts even when the boot tree lacks files they name
                           (make-usb --target vp6630 still refuses such a tree)

Exit codes: 0 rendered (or --check found no difference), 1 failed or differences, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('render', argv, {
      lab: { type: 'string' },
      state: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean' },
      json: { type: 'boolean' },
      ...MANIFEST_FLAGS,
      cache: { type: 'string' },
      'without-boot-assets': { type: 'boolean' },
    });
    const { lab, labFile, paths } = await requireLabAndState(values, io.cwd);
    const secrets = await loadSecrets(paths);
    const out = values.out ? resolve(io.cwd, values.out) : paths.rendered;

    const choice = manifestChoice(values);
    const { withoutArgocd, withoutCni } = choice;
    if (lab.clusters.platform?.gitops && withoutArgocd) {
      io.err('note: --without-argocd: the Talos configs do not bootstrap Argo CD or the root Application; install them by hand once the cluster is up\n');
    }
    if (withoutCni && lab.clusters.platform && cniPlan(lab.clusters.platform).ciliumImage) {
      io.err('note: --without-cni: the Talos configs carry no Cilium manifest; the nodes stay NotReady (and Argo CD does not start) until you apply a CNI yourself\n');
    }
    const manifests = await pinnedManifests(lab, { labFile, cache: values.cache, ...choice, cwd: io.cwd, env: io.env });

    // Rendering never reissues anything; it only says when a certificate needs attention.
    for (const e of certificateExpiries(secrets, new Date()).filter((x) => x.daysLeft < 30)) {
      const fix = e.what.includes('admin') ? `move ${secretPaths(paths).admin} away and run \`builder secrets init\` to issue new admin certificates from the same CAs` : 'rotate the CA with talosctl before it expires';
      io.err(`warning: the ${e.what} ${e.daysLeft < 0 ? 'expired' : 'expires'} on ${e.notAfter.toISOString().slice(0, 10)}; ${fix}\n`);
    }

    let files;
    try {
      files = renderLab({ lab, secrets, ...manifests, withoutArgocd, withoutCni });
    } catch (err) {
      if (err instanceof RenderError) throw new UserError(err.code, err.message, err.hint, { cause: err });
      throw err;
    }

    const servedTree = files.filter((f) => SERVED_PXE_DIRS.includes(f.path.split('/')[0]!)).map((f) => ({ path: f.path, content: f.content }));
    if (!values.check && values['without-boot-assets'] !== true) {
      // Before anything is written: a script naming a file nobody serves is refused here, not on the host.
      await labBootTree({ lab, labFile, cache: values.cache, cwd: io.cwd, env: io.env, tree: servedTree });
    } else if (values['without-boot-assets'] === true && lab.pxe) {
      io.err('note: --without-boot-assets: the files the PXE scripts name were not checked; make-usb --target vp6630 checks them\n');
    }

    if (values.check) {
      const differences = await checkRender(out, files);
      if (values.json) io.out(`${JSON.stringify({ out, files: files.map((f) => ({ path: f.path, mode: f.mode.toString(8), sha256: sha256(f.content) })), differences }, null, 2)}\n`);
      else if (differences.length === 0) io.out(`${out}: all ${files.length} files are up to date\n`);
      else {
        for (const d of differences) io.out(`${d.change === 'missing' ? 'missing ' : d.change === 'mode' ? 'mode    ' : 'differs '} ${d.path}\n`);
        io.out(`${differences.length} of ${files.length} files differ from ${out}; run \`builder render\` to update them\n`);
      }
      return differences.length === 0 ? EXIT.ok : EXIT.failed;
    }

    await applyRender(out, files);
    if (values.json) {
      io.out(`${JSON.stringify({ out, files: files.map((f) => ({ path: f.path, mode: f.mode.toString(8), sha256: sha256(f.content) })), differences: [] }, null, 2)}\n`);
    } else {
      for (const f of files) io.out(`wrote ${f.path} (${f.mode.toString(8)})\n`);
      io.out(`${files.length} files in ${out}\n`);
    }
    return EXIT.ok;
  },
};
