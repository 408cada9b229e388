export { renderGateway, gatewayTree, gatewayConfigBoot, gatewayRelease } from './render.js';
export { GATEWAY_USER, type GatewayLoginSecrets } from './system.js';
export { placeNetworks, type NetworkPlacement } from './layout.js';
export { applyGateway, diffLines, type ApplyResult, type ApplyOptions } from './apply.js';
export { checkGateway } from './check.js';
export { evaluateGateway, formatChecklist, type CheckItem, type GatewayObservation } from './checks.js';
export { gatewayTarget, type GatewayTarget } from './target.js';
export { collectorReporter, type EventReporter } from './events.js';
