/**
 * Every remedy the operator can be sent to: a runbook section `runbook.html#<id>` each. Stall
 * rules, failures, phase checks and unknown machines name these ids; the runbook writes one
 * section per entry (builder/src/runbook/remedies.ts has a body for each, checked by its type).
 */
export const REMEDIES = {
  'no-dhcp': 'No DHCP request from a PXE host',
  'no-boot': 'A host does not report its boot',
  'no-tftp': 'DHCP answered but TFTP never started',
  'no-http': 'iPXE loaded but fetched nothing over HTTP',
  'install-not-started': 'The installer did not start',
  'install-slow': 'An install does not finish',
  'not-back-from-reboot': 'A host does not come back from its reboot',
  'not-joined': 'An installed host does not join',
  'not-healthy': 'A joined host is not healthy',
  'install-failed': 'An install failed',
  'config-error': 'Talos rejected its configuration',
  'host-failed': 'A host reported a failure',
  'harvester-reboot-failed': 'Harvester wrote its disk but could not reboot',
  'declared-mismatch': 'A host is not what the lab file declares',
  'kernel-error': 'A host logs kernel errors',
  'argocd-not-healthy': 'Argo CD does not become healthy',
  'argocd-app-not-healthy': 'An Argo CD application does not become healthy',
  'unknown-mac': 'An unknown machine PXE boots',
  // Named by no rule (the model cannot tell a reinstall loop from a first install); the runbook
  // keeps it for the operator who sees PXE events after Installed.
  'pxe-loop': 'PXE loops after install',
} as const;
export type RemedyId = keyof typeof REMEDIES;

export const REMEDY_IDS = Object.keys(REMEDIES) as RemedyId[];

export function remedyTitle(id: RemedyId): string {
  return REMEDIES[id];
}
