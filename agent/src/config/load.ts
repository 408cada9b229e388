import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AgentConfigSchema, type AgentConfig } from '@lab/shared';

/** A bad agent.yaml: the message names the file and each field, never a value (the token is one). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseAgentConfig(text: string, file: string): AgentConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = AgentConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new ConfigError(`${file}: invalid agent configuration:\n${lines.join('\n')}\nFix these fields (the builder writes this file from the lab model).`);
  }
  return result.data;
}

export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read agent configuration ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass --config PATH`);
  }
  return parseAgentConfig(text, file);
}
