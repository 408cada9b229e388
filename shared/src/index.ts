export * from './events/index.js';
export * from './catalogue/index.js';
export * from './lab/index.js';
export * from './agent/index.js';
export * from './phases/index.js';
export * from './access/index.js';
export { closest } from './suggest.js';
