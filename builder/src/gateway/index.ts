// The running gateway over SSH: apply the rendered configuration (commit-confirm) and check what
// it shows. The configuration itself is rendered by builder/src/vyos/gateway/.
export { applyGateway, diffLines, type ApplyResult, type ApplyOptions } from './apply.js';
export { checkGateway } from './check.js';
export { evaluateGateway, formatChecklist, type CheckItem, type GatewayObservation } from './checks.js';
export { gatewayTarget, type GatewayTarget } from './target.js';
export { collectorReporter, type EventReporter } from './events.js';
