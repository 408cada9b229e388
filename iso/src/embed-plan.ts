// Decides what the embedded-config layer is, without touching any file: the virtual extension
// Talos's imager builds (pkg/imager/embed.go BuildEmbeddedConfigExtension) and the new
// /extensions.yaml that keeps every layer the base already had. Pure.
import { createHash } from 'node:crypto';
import { type ExtensionLayer, renderExtensionsYaml } from './extensions-yaml.js';
import { compressionFor, type TalosVersion } from './talos-version.js';

export const EMBEDDED_CONFIG_NAME = 'embedded-config';
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
  configMode: number;
  configSha256: string;
  /** Every timestamp in what is built (cpio, squashfs, ISO dates). */
  epoch: number;
}

export function planEmbed(input: { version: TalosVersion; existingLayers: ExtensionLayer[]; config: Buffer; epoch: number }): EmbedPlan {
  const configSha256 = createHash('sha256').update(input.config).digest('hex');
  const kept = input.existingLayers.filter((l) => l.metadata.name !== EMBEDDED_CONFIG_NAME);
  const replaced = input.existingLayers.filter((l) => l.metadata.name === EMBEDDED_CONFIG_NAME);
  const taken = new Set(kept.map((l) => l.image));
  let index = kept.length;
  const imageName = () => `${String(index).padStart(3, '0')}.sqsh`;
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
    configMode: 0o400,
    configSha256,
    epoch: input.epoch,
  };
}
