import { stringify } from 'yaml';

/** Deterministic YAML: no line folding (long base64 stays on one line), key order as built. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false });
}

export function toYamlDocuments(docs: unknown[]): string {
  return docs.map(toYaml).join('---\n');
}
