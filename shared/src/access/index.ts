export { isLoopbackAddress, isLoopbackHostHeader, readerIsLocal } from './loopback.js';
export { bearerMatches } from './bearer.js';
