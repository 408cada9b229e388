// The templates package's public face: text templates imported as strings (`?raw`).
// Placeholders are {{name}}; builder/src/render/fill.ts fills them.
export { default as talosArgocdRootApplication } from './talos/argocd-root-application.yaml?raw';
export { default as talosArgocdNamespace } from './talos/argocd-namespace.yaml?raw';
export { default as ipxeHarvester } from './ipxe/harvester.ipxe?raw';
export { default as ipxeTalos } from './ipxe/talos.ipxe?raw';
export { runbookPage, runbookStyle } from './runbook/index.js';
