// The demo's stand-ins for the APIs the collector's join watchers ask (builder rehearse --demo):
// Talos's apid, the platform's Kubernetes API with a demo Argo CD, and Harvester's Kubernetes API.
// Each speaks the real protocol (gRPC over mutual TLS, HTTPS with client certificates) and holds
// only what the demo nodes tell it. See docs/rehearse.md for what they do not model.
export { startDemoApid, peerAddress, type DemoApid, type DemoDisk, type DemoService, type MachineSource, type MachineState, type Refusal } from './apid.js';
export { startDemoKube, applyNodeDoc, type DemoKube, type KubeNodeState, type KubeState, type KubeWriters } from './kube.js';
export { DemoArgoCd, DEMO_ARGOCD_INSTALL, DEMO_ARGOCD_INSTALL_SOURCE } from './argocd.js';
export { nodeMachined, parseMachineState, DEMO_MACHINED_PORT } from './machined.js';
export { demoServerCert, type ServerCert } from './certs.js';
export { DEMO_PORTS, type DemoApisConfig, type DemoKubeConfig } from './config.js';
export { KUBELET_SH } from './kubelet-sh.js';
export { planDemoApis, writeDemoApisConfig, demoApisEntry, readDemoApisState, type DemoApisState } from './launch.js';
export { demoHarvesterCluster, type DemoHarvesterCluster } from './harvester.js';
