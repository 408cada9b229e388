import { addressEvent, machineStatus, phaseEvent, restartEvent, sequenceEvent, serviceStateEvent, taskEvent } from '../../builder/test/collector/talos-encode.js';

/**
 * What one Talos node publishes to its event sink, in emission order, as Talos v1.12.0's
 * sequencer runs it (internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer.go for the
 * phases of each sequence, v1alpha1_controller.go for SequenceEvent START/STOP around each
 * sequence and PhaseEvent START/STOP around each phase, the FATAL NOOP after a failed run,
 * v1alpha1_sequencer_tasks.go `Reboot` for the RestartEvent, and
 * pkg/controllers/runtime/machine_status.go for when MachineStatusEvent changes stage).
 * Not modelled: TaskEvents inside each phase (Talos sends one START/STOP per task), repeated
 * MachineStatusEvents while conditions change, and the event buffer's 1,000-event limit.
 */

export interface TalosMessage {
  type: string;
  payload: Uint8Array;
}

const m = (type: string, payload: Uint8Array): TalosMessage => ({ type, payload });

function sequence(name: string, phases: string[], inner: (phase: string) => TalosMessage[] = () => []): TalosMessage[] {
  const out = [m('SequenceEvent', sequenceEvent(name, 'START'))];
  for (const p of phases) out.push(m('PhaseEvent', phaseEvent(p, 'START')), ...inner(p), m('PhaseEvent', phaseEvent(p, 'STOP')));
  return out;
}

/** The install sequence from the installer (ISO or PXE): phases env … reboot (Sequencer.Install). */
const INSTALL_PHASES = ['env', 'install', 'meta', 'saveMeta', 'volumeFinalize', 'stopEverything', 'kexec', 'reboot'];

/** First boot, from the ISO or the network: initialize, install, kexec into the installed system. */
export function installerBoot(hostname: string, addresses: string[]): TalosMessage[] {
  const out: TalosMessage[] = [
    ...sequence('initialize', ['machined', 'config']),
    m('MachineStatusEvent', machineStatus('BOOTING', false, [{ name: 'time', reason: 'time is not in sync yet' }])),
    m('AddressEvent', addressEvent(hostname, addresses)),
    m('SequenceEvent', sequenceEvent('initialize', 'STOP')),
  ];
  out.push(m('SequenceEvent', sequenceEvent('install', 'START')));
  for (const p of INSTALL_PHASES) {
    out.push(m('PhaseEvent', phaseEvent(p, 'START')));
    // machine_status.go: the install phase of the install sequence is INSTALLING, its kexec phase REBOOTING;
    // readiness is evaluated only in BOOTING and RUNNING, so both come with ready=true.
    if (p === 'install') out.push(m('MachineStatusEvent', machineStatus('INSTALLING', true)));
    if (p === 'kexec') out.push(m('MachineStatusEvent', machineStatus('REBOOTING', true)));
    if (p === 'reboot') out.push(m('RestartEvent', restartEvent(0x45584543)));
    // The reboot phase returns runtime.RebootError: its STOP and the sequence's STOP are deferred, then the NOOP.
    out.push(m('PhaseEvent', phaseEvent(p, 'STOP')));
  }
  out.push(
    m('SequenceEvent', sequenceEvent('install', 'STOP')),
    m('SequenceEvent', sequenceEvent('install', 'NOOP', 'sequence failed: error running phase 8 in install sequence: unix.Reboot(45584543)', 'FATAL')),
  );
  return out;
}

/**
 * Boot from disk after the kexec: initialize, install with no phases (already installed), boot;
 * services start; RUNNING but not ready (etcd waits for Bootstrap, the node is not Ready without a CNI).
 */
export function diskBoot(hostname: string, addresses: string[]): TalosMessage[] {
  return [
    ...sequence('initialize', ['machined', 'config']),
    m('MachineStatusEvent', machineStatus('BOOTING', false, [{ name: 'time', reason: 'time is not in sync yet' }])),
    m('AddressEvent', addressEvent(hostname, addresses)),
    m('SequenceEvent', sequenceEvent('initialize', 'STOP')),
    m('SequenceEvent', sequenceEvent('install', 'START')),
    m('SequenceEvent', sequenceEvent('install', 'STOP')),
    ...sequence('boot', ['memorySizeCheck', 'diskSizeCheck', 'env', 'dbus', 'startEverything'], (p) =>
      p === 'startEverything'
        ? [
            m('TaskEvent', taskEvent('startAllServices', 'START')),
            m('ServiceStateEvent', serviceStateEvent('apid', 1, 'Running pre state')),
            m('ServiceStateEvent', serviceStateEvent('apid', 3, 'Started task apid', true)),
            m('ServiceStateEvent', serviceStateEvent('etcd', 1, 'Running pre state')),
            m('ServiceStateEvent', serviceStateEvent('kubelet', 8, 'Starting service')),
            m('ServiceStateEvent', serviceStateEvent('kubelet', 3, 'Started task kubelet', true)),
            m('TaskEvent', taskEvent('startAllServices', 'STOP')),
          ]
        : [],
    ),
    m('SequenceEvent', sequenceEvent('boot', 'STOP')),
    m('MachineStatusEvent', machineStatus('RUNNING', false, [{ name: 'staticPods', reason: 'static pods not running: kube-apiserver' }, { name: 'nodeReady', reason: `node "${hostname}" is not ready` }])),
  ];
}

/** Once etcd, the API server and a CNI run: every condition met. */
export function becomesReady(): TalosMessage[] {
  return [m('ServiceStateEvent', serviceStateEvent('etcd', 3, 'Health check successful', true)), m('MachineStatusEvent', machineStatus('RUNNING', true))];
}
