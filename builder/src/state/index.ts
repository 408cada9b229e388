export * from './paths.js';
export { writeFileAtomic, type WriteOptions } from './atomic.js';
export { ensureStateDir } from './ensure.js';
