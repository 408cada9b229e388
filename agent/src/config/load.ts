import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isScalar, type Document } from 'yaml';
import { AgentConfigSchema, type AgentConfig } from '@lab/shared';

/**
 * A bad agent.yaml: the message names the file, the line and each field, never a value or an
 * unknown key's name (a token pasted in the wrong place is a key or a value like any other).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Issue = { code: string; path: PropertyKey[]; message: string; keys?: string[] };

export function parseAgentConfig(text: string, file: string): AgentConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    // The parser's message can quote the offending text; its code and position say enough.
    const at = lines.linePos(yamlError.pos[0]);
    throw new ConfigError(`${file}:${at.line}:${at.col}: not valid YAML (${yamlError.code}); fix the indentation or quoting on that line`);
  }
  const result = AgentConfigSchema.safeParse(doc.toJS());
  if (!result.success) {
    const problems = (result.error.issues as Issue[]).flatMap((i) => describe(i, doc, lines));
    throw new ConfigError(`${file}: invalid agent configuration:\n${problems.join('\n')}\nFix these fields (the builder writes this file from the lab model).`);
  }
  return result.data;
}

function describe(issue: Issue, doc: Document, lines: LineCounter): string[] {
  const where = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return (issue.keys ?? []).map((key) => {
      const line = keyLine(doc, lines, issue.path, key);
      return `  ${line ? `line ${line}: ` : ''}${where}: an unknown key (its name is not shown: a secret pasted in the wrong place would be printed); remove it or check its spelling`;
    });
  }
  const line = valueLine(doc, lines, issue.path);
  return [`  ${line ? `line ${line}: ` : ''}${where}: ${issue.message}`];
}

function valueLine(doc: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
  return node?.range ? lines.linePos(node.range[0]).line : undefined;
}

function keyLine(doc: Document, lines: LineCounter, path: PropertyKey[], key: string): number | undefined {
  const parent = path.length ? doc.getIn(path as unknown[], true) : doc.contents;
  if (!isMap(parent)) return undefined;
  for (const item of parent.items) {
    if (isScalar(item.key) && String(item.key.value) === key && item.key.range) return lines.linePos(item.key.range[0]).line;
  }
  return undefined;
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
