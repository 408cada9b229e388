export { makeGatewayStick, GATEWAY_STICK_STEPS, type GatewayStickStep, type GatewayStickOptions, type GatewayStickResult } from './make.js';
export { planGatewayStick, type StickPlan, type StickInputs, type BaseFacts, type StagedFile } from './plan.js';
export { gatewayAgentYaml, pxeAgentHosts, type AgentConfigOptions } from './agent-config.js';
export { startAgentScript, agentUnit, stickReadme } from './scripts.js';
export * from './layout.js';
export type { RunbookFile } from './plan.js';
