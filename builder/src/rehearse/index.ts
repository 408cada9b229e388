// The rehearsal's public face: the lab as virtual machines on one machine, the product driving it.
export { planRehearsal, parsePhases, type RehearsalPlan, type VmPlan, type SwitchPort, type TapEnd } from './plan.js';
export { networkSteps, tapSteps, type NetStep } from './network.js';
export { qemuArgs } from './vm.js';
export { rehearse, cleanRehearsal, rehearsalPaths, formatPhase, demoGoal, type PhaseResult, type RehearsalResult, type RehearsalPaths } from './run.js';
export { readLedger, type LedgerData } from './ledger.js';
export { nodeScript, switchScript, talosScript } from './payload/scripts.js';
export { grpcFrame, installedEvents, installFailedEvents, isoBootEvents } from './payload/talos-events.js';
export { fitRealRehearsal, formatRealFit, realImages, REAL_VM_NEEDS, type MachineFacts, type RealPhaseFit, type ImageState } from './real/needs.js';
export { imageStates, kvmUsable, machineFacts } from './real/machine.js';
