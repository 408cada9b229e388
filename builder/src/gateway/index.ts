export { renderGateway, gatewayTree, gatewayConfigBoot, gatewayRelease } from './render.js';
export { GATEWAY_USER, type GatewayLoginSecrets } from './system.js';
export { placeNetworks, type NetworkPlacement } from './layout.js';
