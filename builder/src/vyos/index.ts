export * from './tree.js';
export { ConfigBootSyntaxError, parseConfigBoot } from './parse.js';
export { printConfigBoot, printNodesText, type PrintOptions } from './print.js';
export { configPaths, formatPath, shellQuote, type ConfigPath } from './paths.js';
export { diffConfig, formatDiff, isEmptyDiff, type ChangedPath, type ConfigDiff } from './diff.js';
export { commandsScript, setCommands } from './commands.js';
export { findRelease, readFooter, versionFooter, VYOS_RELEASES, type VyosRelease } from './footer.js';
