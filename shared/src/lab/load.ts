import { LineCounter, parseDocument, isNode, isPair, isMap, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { LabSchema, type Lab } from './schema.js';
import { checkLabRules } from './rules.js';
import type { LocatedProblem, Problem } from './problem.js';

export type LabParseResult = { ok: true; lab: Lab; problems: [] } | { ok: false; problems: LocatedProblem[] };

/**
 * Parses and checks a lab file's text. Pure: the caller reads the file. Every problem found is
 * returned, each placed at its line and column (from the YAML parser's source ranges).
 */
export function parseLab(text: string, file: string): LabParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line ?? 1,
        column: e.linePos?.[0].col ?? 1,
        path: [],
        message: `YAML syntax: ${firstLine(e.message)}`,
        fix: yamlFix(e.code),
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ file, line: 1, column: 1, path: [], message: `YAML: ${(err as Error).message}`, fix: 'remove the alias loop or the excessive aliases' }] };
  }
  const place = ({ atKey, ...p }: Problem): LocatedProblem => ({ file, ...locate(doc, lineCounter, p.path, atKey === true), ...p });

  const parsed = LabSchema.safeParse(data ?? {}, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap(issueToProblems).map(place) };
  const problems = checkLabRules(parsed.data).map(place);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, lab: parsed.data, problems: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and punctuation on this line and the one before';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'fix the YAML syntax here (an editor with YAML support shows the exact spot)';
  }
}

function describeExpected(expected: unknown): string {
  const map: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', object: 'a mapping (key: value lines)', array: 'a list (lines starting with -)' };
  return map[String(expected)] ?? String(expected);
}

function received(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (input === undefined) return 'nothing';
  return typeof input === 'string' ? 'text' : typeof input;
}

type Issue = z.core.$ZodIssue;

function issueToProblems(issue: Issue): Problem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: `required field is missing`, fix: `add ${String(path.at(-1) ?? 'it')}: with ${describeExpected(issue.expected)}` }];
      return [{ path, message: `expected ${describeExpected(issue.expected)}, found ${received(issue.input)}`, fix: `write ${describeExpected(issue.expected)} here` }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"`, fix: 'remove it or correct its spelling (the JSON Schema lists every field)', atKey: true }));
    case 'invalid_value':
      return [{ path, message: `"${String(issue.input)}" is not allowed`, fix: `use one of: ${issue.values.map(String).join(', ')}` }];
    case 'too_small':
      return [{ path, message: issue.origin === 'array' ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}` : issue.message, fix: issue.origin === 'array' ? 'add the missing entries' : 'use a larger value' }];
    case 'too_big':
      return [{ path, message: issue.message, fix: 'use a smaller value' }];
    case 'invalid_union':
      return [{ path, message: 'does not match any allowed form', fix: 'compare it with the JSON Schema or the example lab' }];
    default: {
      const [what, how] = splitHint(issue.message);
      return [{ path, message: what, fix: how }];
    }
  }
}

/** Schema messages are written as "what is wrong (how to fix it)". */
function splitHint(message: string): [string, string] {
  const m = /^(.*?) \((.*)\)$/.exec(message);
  return m ? [m[1]!, m[2]!] : [message, 'see the JSON Schema for the expected form'];
}

/** Finds the closest node the path reaches and returns its position. */
function locate(doc: Document, lc: LineCounter, path: (string | number)[], preferKey: boolean): { line: number; column: number } {
  let node: unknown = doc.contents;
  let best: YamlNode | null = isNode(node) ? node : null;
  let keyNode: YamlNode | null = null;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isNode(it.key) && (it.key as { value?: unknown }).value === part);
      if (!pair || !isPair(pair)) break;
      keyNode = isNode(pair.key) ? pair.key : null;
      node = pair.value;
      best = isNode(node) ? node : keyNode;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      keyNode = null;
      if (!isNode(node)) break;
      best = node;
    } else break;
  }
  // Point at a mapping's key rather than at the block that follows it.
  const target = keyNode && (preferKey || (isNode(best) && (isMap(best) || isSeq(best)))) ? keyNode : best;
  const offset = target?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return { line: pos.line, column: pos.col };
}
