// The builder's ground floor: what every room may use and nothing here imports a room.
export { UserError, UsageError, type ErrorCode, type ErrorKind } from './errors.js';
export { processIo, memoryIo, type Io } from './io.js';
export { readInput, fsReason } from './read-input.js';
