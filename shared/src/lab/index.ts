export * from './schema.js';
export { parseLab, type LabParseResult } from './load.js';
export { checkLabRules, MIN_TALOS_FOR_EMBEDDED } from './rules.js';
export { formatProblem, formatPath, type Problem as LabProblem, type LocatedProblem } from './problem.js';
export * from './net.js';
export { compareVersions } from './version.js';
export * from './queries.js';
