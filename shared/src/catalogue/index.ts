export { KINDS, EVENT_KINDS, CHECK_KINDS, kindDef, failureRemedies, type KindDef, type Proof, type EventKind, type EventKindNames } from './kinds.js';
export { REMEDIES, REMEDY_IDS, remedyTitle, type RemedyId } from './remedies.js';
