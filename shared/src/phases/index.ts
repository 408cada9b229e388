export * from './stages.js';
export * from './phases.js';
export * from './stalls.js';
export { classifyEvent, type ModelEvent, type Classified } from './classify.js';
export { planFromLab, hostPath, hostPhase, nodeAddresses, type GenesisPlan, type PlanHost, type PlanPhase } from './plan.js';
export * from './derive.js';
export { listRemedies, type RemedyRef } from './remedies.js';
export { compareDeclared, mismatchReason, sizeMatches, type DeclaredHost, type Mismatch, type ObservedHost } from './declared.js';
