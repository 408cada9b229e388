// Public face of @lab/agent.
export { startAgent, type RunningAgent } from './agent.js';
export { loadAgentConfig, parseAgentConfig, ConfigError } from './config/load.js';
export { Reporter, type ReporterOptions, type EventInput } from './reporter/reporter.js';
export { Spool } from './reporter/spool.js';
export { backoffDelay } from './reporter/backoff.js';
export { collectFacts, primaryMac, systemReader, type HostFacts } from './roles/host/index.js';
export { PxeRole, DhcpService, TftpService, HttpService, InstalledHosts, handleControl, chooseBoot, scriptUrl, resolveUnderRoot, isSafeName } from './roles/pxe/index.js';
export { JoinRole, parseKubeconfig, nodeReadiness, appStates, changes, tcpReachable } from './roles/join/index.js';
export { statusDocument, startStatusServer, statusAllowed } from './status.js';
