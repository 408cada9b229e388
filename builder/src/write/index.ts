export { inspectDevice, parseMounts, parseSwaps, devMajorMinor, REAL_ROOTS, type DeviceInfo, type SystemRoots } from './device.js';
export { refusals, type Refusal } from './check.js';
export { writeImage, type WriteResult } from './write.js';
export { runWrite, type WriteDeps, type WriteOutcome } from './run.js';
