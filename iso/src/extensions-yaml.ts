// /extensions.yaml: `layers: [{image, metadata}]` (pkg/machinery/extensions Config and Layer).
import { parse, stringify } from 'yaml';

export interface LayerMetadata {
  name: string;
  version: string;
  author?: string;
  description?: string;
  compatibility?: { talos?: { version?: string } };
  [key: string]: unknown;
}

export interface ExtensionLayer {
  image: string;
  metadata: LayerMetadata;
}

export class ExtensionsYamlError extends Error {
  override name = 'ExtensionsYamlError';
}

export function parseExtensionsYaml(text: string): ExtensionLayer[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ExtensionsYamlError(`extensions.yaml is not YAML: ${(err as Error).message}`);
  }
  const layers = (doc as { layers?: unknown } | null)?.layers ?? [];
  if (!Array.isArray(layers)) throw new ExtensionsYamlError('extensions.yaml: `layers` is not a list');
  return layers.map((l: unknown, i: number) => {
    const layer = l as Partial<ExtensionLayer> | null;
    if (!layer || typeof layer.image !== 'string' || !layer.metadata || typeof layer.metadata.name !== 'string') {
      throw new ExtensionsYamlError(`extensions.yaml: layers[${i}] needs an image and metadata.name`);
    }
    return { image: layer.image, metadata: { ...layer.metadata, version: String(layer.metadata.version ?? '') } as LayerMetadata };
  });
}

/** Serialises the way Go's yaml encoder lays it out (4-space indent), keys in a fixed order. Pure. */
export function renderExtensionsYaml(layers: ExtensionLayer[]): string {
  return stringify({ layers: layers.map((l) => ({ image: l.image, metadata: l.metadata })) }, { indent: 4, lineWidth: 0 });
}
