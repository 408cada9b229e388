// The gateway's VyOS configuration, rendered from the lab: pure, no I/O. Applying it over SSH and
// checking the running gateway live in builder/src/gateway/; the stick carries it (gateway-stick/).
export { renderGateway, gatewayTree, gatewayConfigBoot, gatewayRelease } from './render.js';
export { GATEWAY_USER, type GatewayLoginSecrets } from './system.js';
export { placeNetworks, type NetworkPlacement } from './layout.js';
export { relayInterfaces, dnsListenAddresses } from './services.js';
