export { readLab, requireLab, requireLabAndState, type ReadLabResult } from './read.js';
