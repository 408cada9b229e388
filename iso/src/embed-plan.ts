// Decides what the embedded-config layer is, without touching any file: the virtual extension
// Talos's imager builds (pkg/imager/embed.go BuildEmbeddedConfigExtension) and the new
// /extensions.yaml that keeps every layer the base already had. Pure.
import { createHash } from 'node:crypto';
import { type ExtensionLayer, renderExtensionsYaml } from './extensions-yaml.js';
import { compressionFor, type TalosVersion } from './talos-version.js';

export const EMBEDDED_CONFIG_NAME = 'embedded-config';
/** pkg/machinery/constants StateSelinuxLabel: the label the imager gives the config file. */
export const CONFIG_SELINUX_LABEL = 'system_u:object_r:system_state_t:s0';
export const CONFIG_PATH = 'usr/local/etc/talos/config.yaml';

export interface EmbedPlan {
  /** Layers of the base that stay (a previous embedded-config layer is replaced, not kept). */
  kept: ExtensionLayer[];
  replaced: ExtensionLayer[];
  layer: ExtensionLayer;
  /** All layers, in mount order, as written to /extensions.yaml. */
  layers: ExtensionLayer[];
  extensionsYaml: string;
  squashfsCompression: 'zstd' | 'xz';
  archiveCompression: 'zstd' | 'xz';
  /** Directories (parents first) and the config file inside the layer's rootfs. */
  rootfsDirs: string[];
  configPath: string;
  /** v1.12.x writes the file with mode 0000, v1.13 and later 0400 (pkg/imager/embed.go). */
  configMode: number;
  /** security.selinux of the config file, written as a PAX xattr by the imager. */
  configSelinuxLabel: string;
  configSha256: string;
  /** Every timestamp in what is built (cpio, squashfs, ISO dates). */
  epoch: number;
}

export function planEmbed(input: { version: TalosVersion; existingLayers: ExtensionLayer[]; config: Buffer; epoch: number }): EmbedPlan {
  const configSha256 = createHash('sha256').update(input.config).digest('hex');
  const kept = input.existingLayers.filter((l) => l.metadata.name !== EMBEDDED_CONFIG_NAME);
  const replaced = input.existingLayers.filter((l) => l.metadata.name === EMBEDDED_CONFIG_NAME);
  const taken = new Set(kept.map((l) => l.image));
  // internal/pkg/extensions/compress.go names each image `<directory>.sqsh`, the directory being
  // the extension's unpadded index in the list (pkg/imager/extensions); a taken name moves on.
  let index = kept.length;
  const imageName = () => `${index}.sqsh`;
  while (taken.has(imageName())) index++;
  const layer: ExtensionLayer = {
    image: imageName(),
    metadata: {
      name: EMBEDDED_CONFIG_NAME,
      version: configSha256,
      author: 'Imager',
      description: 'Virtual extension which embeds the machine configuration.',
      compatibility: { talos: { version: '>= 1.0.0' } },
    },
  };
  const layers = [...kept, layer];
  const compression = compressionFor(input.version);
  const parts = CONFIG_PATH.split('/');
  return {
    kept,
    replaced,
    layer,
    layers,
    extensionsYaml: renderExtensionsYaml(layers),
    squashfsCompression: compression,
    archiveCompression: compression,
    rootfsDirs: parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/')),
    configPath: CONFIG_PATH,
    configMode: input.version.major === 1 && input.version.minor <= 12 ? 0o000 : 0o400,
    configSelinuxLabel: CONFIG_SELINUX_LABEL,
    configSha256,
    epoch: input.epoch,
  };
}
