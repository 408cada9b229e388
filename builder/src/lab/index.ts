export { readLab, requireLab, type ReadLabResult } from './read.js';
