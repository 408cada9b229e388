export { parseKubeconfig, parseTalosconfig, CredentialsError, type KubeCredentials, type TalosCredentials } from './credentials.js';
export { KubeApi, KubeApiError } from './kube-api.js';
export { TalosApi, TalosApiError, APID_PORT, apidTarget } from './talos-api.js';
export { planJoinTargets, type JoinTargets } from './targets.js';
export { loadJoinTargets } from './load.js';
export { startJoinWatchers, type JoinWatchers, type JoinWatchOptions } from './watchers.js';
