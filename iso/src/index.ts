// The media toolkit's public face.
export { embedTalosConfig, checkBase, EMBED_STEPS, type EmbedStep, type EmbedOptions, type EmbedResult, type Sidecar } from './embed.js';
export { type Bootloader } from './talos-media.js';
export { inspectMedia, type MediaInfo, type BootMode } from './inspect.js';
export { grubEntries, ukiEntries, type BootEntry } from './boot-entries.js';
export { verifyMedia, type Problem } from './verify.js';
export { MediaError, type MediaErrorCode } from './errors.js';
export { planEmbed, EMBEDDED_CONFIG_NAME, CONFIG_PATH, type EmbedPlan } from './embed-plan.js';
export { parseExtensionsYaml, renderExtensionsYaml, type ExtensionLayer, type LayerMetadata } from './extensions-yaml.js';
export { buildCpio, readCpio, encodeHeader, S_IFDIR, S_IFREG, S_IFLNK, type CpioHeader, type CpioMember, type CpioMemberSpec } from './cpio.js';
export { ToolError } from './tools/run.js';
export { sha256File } from './hash.js';
export { extract as extractFromIso, listFiles as listIsoFiles } from './tools/xorriso.js';
export { reportKernelArgs, withKernelArgs, grubWithKernelArgs } from './kernel-args.js';
export { ukiStructure, effectiveSection, bootChoices, type UkiStructure, type UkiProfile } from './uki-profiles.js';
export { parseVersion, versionFromLabels, MIN_EMBED_VERSION, type TalosVersion } from './talos-version.js';
export * from './vyos/index.js';
