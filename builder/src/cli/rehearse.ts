import { dirname, join, resolve } from 'node:path';
import type { Command } from './command.js';
import { LAB_DEFAULT } from './lab-context.js';
import { parseFlags } from './args.js';
import { UsageError, UserError } from '../base/index.js';
import { EXIT } from './exit.js';
import { requireLabAndState } from '../lab/index.js';
import { defaultCacheDir } from '../images/cache.js';
import { cleanRehearsal, fitRealRehearsal, formatPhase, formatRealFit, imageStates, machineFacts, parsePhases, realImages, rehearsalPaths, rehearse } from '../rehearse/index.js';
import { statePathsFor } from '../state/index.js';

export const rehearseCommand: Command = {
  name: 'rehearse',
  help: `Usage: builder rehearse --clean [--lab FILE] [--state DIR]
       builder rehearse [--phases 1-4] [--json] [--lab FILE]
       builder rehearse --demo [--phases 1-4] [--keep] [--json] [--timeout S] [--mac HOST=MAC] [--lab FILE] [--state DIR]

Rehearses the bring-up on this machine, as root, with the lab as virtual machines. It lays the
lab's networks out inside network namespaces it creates (a VLAN-aware lab switch carrying the
lab's VLANs, the gateway's cabled ports, the uplink to an upstream router whose default route
goes nowhere, the laptop on the network of collector.url), runs the collector on the laptop's
side, and boots each host of the rehearsed phases as a QEMU VM (TCG, no KVM needed) with its
NICs' MACs and its firmware (OVMF for uefi, SeaBIOS for bios). It never binds or routes the
lab's addresses outside its own namespaces and never touches this machine's interfaces. Its
collector runs with --demo: the dashboard, /v1/status and \`builder status\` say DEMO first.

--demo boots demo payloads built from Debian parts (the Debian cloud kernel, fetched once with
apt-get download, busybox-static and curl), each saying "demo" on its console and in its events:
the gateway boots, by its firmware, the stick make-usb's own code builds from the VyOS DEMO base
(VyOS's live layout from Debian parts) and the rehearsal's state, and applies the config.boot on
it: the lab's VLANs on its ports and bridges, addresses, routes, forwarding and its DHCP relay
(its console lists what it applied and what it does not model); cp-1 (the
UM760) boots, as a USB disk under OVMF, the stick make-usb builds from the demo Talos base
(Talos's layout, systemd-boot 257 and its UKI around Debian's kernel; docs/media.md) and the
cp-1 config rendered with the rehearsal's own secrets, reads that config from the stick's
embedded-config layer, matches its install disk selector against its demo disk and sends Talos's event-sink
messages over gRPC, in Talos's sequencer order, through the gateway to the collector; then its
etcd waits for Bootstrap (the collector runs with --bootstrap), its kubelet registers its Node
with the demo Kubernetes API, Ready once its config carries a CNI, and it applies its inline
manifests (Argo CD). The collector's own join watchers ask demo stand-ins for apid and the
Kubernetes API (with a demo Argo CD) at the lab's addresses, relayed by the node. In phase 3
the MS-02s boot by their firmware's own PXE (OVMF, no option ROM) from the real agent's PXE
service (full-mode DHCP, TFTP, HTTP at pxe.address, in a namespace of its own: the demo gateway
does not run the agent) into a demo Harvester installer that fetches its rendered config, calls its
webhooks in harvester-installer v1.5's order, writes the demo image at install.iso_url to its
disk (a systemd-stub UKI on an ESP; the config kept on COS_OEM) and reboots after SUCCEEDED; the
second network boot is answered boot-local and the node boots from its disk, runs SSH for
rancher and registers with a demo Harvester Kubernetes API, which the collector's watcher reads
over SSH (rke2.yaml) and asks. In phase 4 cp-2 and cp-3 boot the same way on
LAB_PLATFORM, their DHCP relayed by the demo gateway (ISC dhcrelay, as VyOS runs it), into a demo
Talos node that fetches its machine config from talos.config= and reports to the sink. What the
demo does not rehearse yet: Talos's own kernel and machined, the gateway's NAT, firewall, DNS
and BGP, a real Talos install or reboot, containers, RKE2 and the Harvester cluster itself.

A phase is done when the collector says so (phase 1: the gateway booted, cp-1 healthy, Argo CD
healthy; phase 2: the platform applications Synced and Healthy; phase 4: cp-2 and cp-3 healthy,
joined as additional control planes; phase 3: the three MS-02s healthy, their nodes Ready in
Harvester). A failure names the host, its stage and the
runbook remedy. Teardown stops every process and deletes every
namespace it made (and with it every tap, bridge and veth), also on Ctrl-C; after a crash or
kill -9, \`builder rehearse --clean\` finishes it from the state file
(state/rehearsal/rehearsal.json). Demo events go to the rehearsal's own database
(state/rehearsal/state), never to the lab's.

  --demo          boot the demo payloads. Without it, the rehearsal with the real Talos, VyOS
                  and Harvester is planned, not booted (that is not built): it prints what each
                  phase would need here (KVM for stock guest kernels, each guest's memory from
                  Talos's and Harvester's published minimums, the cached base images), why it
                  cannot run, and exits 1
  --phases LIST   phases to rehearse (default: every phase the demo covers, 1 to 4; later
                  phases need 1, whose gateway routes to the collector)
  --mac HOST=MAC  boot HOST's VM with the MAC its machine really has, not the lab's (comma-separated
                  pairs): rehearses a lab whose MAC for a machine is wrong
  --keep          keep the lab and the dashboard up after the phases until Ctrl-C
  --json          print the phase results (hosts, their timelines, checks, timings) as JSON
  --clean         finish the teardown of an interrupted rehearsal and exit
  --timeout S     seconds a phase may take (default 240)
  --lab FILE      the lab file (default: ${LAB_DEFAULT})
  --state DIR     the lab's state directory (default: state/ beside the lab file)

Exit codes: 0 every phase is done (or --clean had nothing left or removed it all), 1 a phase
failed or teardown left something, 2 usage error.`,
  async run(argv, io) {
    const { values } = parseFlags('rehearse', argv, {
      demo: { type: 'boolean' },
      phases: { type: 'string' },
      keep: { type: 'boolean' },
      clean: { type: 'boolean' },
      timeout: { type: 'string' },
      mac: { type: 'string' },
      lab: { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.clean) {
      const paths = rehearsalPaths(statePathsFor(values, io.cwd));
      const report = await cleanRehearsal(paths);
      if (!report) {
        io.out(`rehearse: nothing to clean (${paths.ledger} does not exist)\n`);
        return EXIT.ok;
      }
      io.out(`rehearse: stopped ${report.stopped.length} processes, removed ${report.namespaces.length} namespaces${report.stopped.length + report.namespaces.length ? `:\n${[...report.stopped, ...report.namespaces].map((x) => `  ${x}`).join('\n')}` : ''}\n`);
      if (report.problems.length) io.err(`rehearse: still left: ${report.problems.join('; ')}\n`);
      return report.problems.length ? EXIT.failed : EXIT.ok;
    }
    const phases = parsePhases(values.phases);
    if (!values.demo) return realRehearsalReport(values, phases, io);
    const timeout = values.timeout === undefined ? 240 : Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('ERR_USAGE_FLAG_VALUE', `rehearse: --timeout "${values.timeout}" is not a number of seconds`, 'give a positive number, such as 240');
    const machineMacs = parseMachineMacs(values.mac);
    const { lab, labFile, paths } = await requireLabAndState(values, io.cwd);
    let stop: () => void = () => undefined;
    const stopRequested = new Promise<void>((resolve) => (stop = resolve));
    const onSignal = () => {
      io.err('\nrehearse: stopping (tearing down what the rehearsal made)…\n');
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await rehearse({
        lab,
        labFile: resolve(io.cwd, labFile),
        paths: rehearsalPaths(paths),
        phases,
        cacheDir: join(dirname(defaultCacheDir(io.env)), 'rehearse'),
        keep: Boolean(values.keep),
        phaseTimeoutS: timeout,
        log: (t) => (values.json ? io.err(t) : io.out(t)),
        stopRequested,
        ...(machineMacs ? { machineMacs } : {}),
      });
      const ok = result.results.length === phases.length && result.results.every((r) => r.ok) && (result.teardown?.problems.length ?? 0) === 0;
      if (values.json) {
        io.out(`${JSON.stringify({ ok, phases: result.results, interrupted: result.interrupted, teardown: result.teardown ?? null }, null, 2)}\n`);
        return ok ? EXIT.ok : EXIT.failed;
      }
      io.out(`\nrehearse: ${ok ? 'every rehearsed phase is done' : 'the rehearsal did not finish'}:\n${result.results.map(formatPhase).join('')}`);
      io.out(`rehearse: its events stay in ${rehearsalPaths(paths).labState}; \`builder collect --lab ${labFile} --state ${rehearsalPaths(paths).labState}\` serves that dashboard again\n`);
      return ok ? EXIT.ok : EXIT.failed;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/**
 * Without --demo: what the real rehearsal would need of this machine, phase by phase, and why
 * each phase cannot run. Booting the real systems is not built, so this always ends in a refusal.
 */
async function realRehearsalReport(values: { lab?: string; state?: string; json?: boolean; phases?: string }, phases: number[], io: Parameters<Command['run']>[1]): Promise<number> {
  const { lab, labFile } = await requireLabAndState(values, io.cwd);
  const facts = await machineFacts();
  const images = await imageStates(realImages(lab, phases), { labFile, cwd: io.cwd, cacheDir: defaultCacheDir(io.env) });
  const fits = fitRealRehearsal(lab, phases, facts, images);
  const runs = fits.filter((f) => f.runs).map((f) => f.number);
  const message = `the real rehearsal is not built: ${runs.length > 0 ? `phase ${runs.join(', ')} would fit this machine, but booting the real Talos, VyOS and Harvester is not built yet` : 'no phase could run here'}`;
  const hint = `run the demo rehearsal instead: \`builder rehearse --demo${values.phases ? ` --phases ${values.phases}` : ''}\``;
  if (values.json) {
    // One document, in the shape every --json error has, with the per-phase report beside it.
    io.out(`${JSON.stringify({ ok: false, command: 'rehearse', error: { code: 'ERR_REHEARSE_REAL_UNAVAILABLE', message, hint }, real: { machine: facts, phases: fits } }, null, 2)}\n`);
    return EXIT.failed;
  }
  io.err(formatRealFit(fits, facts));
  throw new UserError('ERR_REHEARSE_REAL_UNAVAILABLE', `rehearse: ${message} (reasons above)`, hint);
}

/** `--mac ms02-2=02:00:00:00:02:99,…`: host → MAC. */
function parseMachineMacs(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const m = /^\s*([^=\s]+)=((?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2})\s*$/.exec(pair);
    if (!m) throw new UsageError('ERR_USAGE_FLAG_VALUE', `rehearse: --mac "${pair}" is not HOST=MAC`, 'write it like --mac ms02-2=02:00:00:00:02:99');
    out[m[1]!] = m[2]!.toLowerCase().replace(/-/g, ':');
  }
  return out;
}
