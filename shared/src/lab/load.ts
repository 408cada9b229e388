import { LineCounter, parseDocument, isNode, isPair, isMap, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { LabSchema, type Lab } from './schema.js';
import { checkLabRules } from './rules.js';
import { checkLabWarnings } from './warnings.js';
import type { LocatedProblem, LocatedWarning, Problem } from './problem.js';
import { closest } from '../suggest.js';

/** Warnings come with a lab that passed its schema (valid or not by the rules); none otherwise. */
export type LabParseResult = { ok: true; lab: Lab; problems: []; warnings: LocatedWarning[] } | { ok: false; problems: LocatedProblem[]; warnings: LocatedWarning[] };

/**
 * Parses and checks a lab file's text. Pure: the caller reads the file. Every problem found is
 * returned, each placed at its line and column (from the YAML parser's source ranges).
 */
export function parseLab(text: string, file: string): LabParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true });
  if (doc.errors.length > 0) {
    // Only the first: one slip in indentation makes the parser misread every line after it, and
    // the errors it then reports are echoes of that one, not problems of their own.
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line ?? 1;
    const more = doc.errors.length > 1 ? ' (later YAML errors usually follow from this one: fix it, then validate again)' : '';
    return {
      ok: false,
      problems: [{ file, line, column: e.linePos?.[0].col ?? 1, path: [], message: `YAML syntax: ${firstLine(e.message)}`, fix: `${yamlFix(e.code, text, line)}${more}` }],
      warnings: [],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ file, line: 1, column: 1, path: [], message: `YAML: ${(err as Error).message}`, fix: 'remove the alias loop or the excessive aliases' }], warnings: [] };
  }
  const place = ({ atKey, ...p }: Problem): LocatedProblem => ({ file, ...locate(doc, lineCounter, p.path, atKey === true), ...p });

  const parsed = LabSchema.safeParse(data ?? {}, { reportInput: true });
  const source = (path: (string | number)[]) => sourceAt(doc, text, path);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap((i) => issueToProblems(i, source)).map(place), warnings: [] };
  const problems = checkLabRules(parsed.data).map(place);
  const warnings = checkLabWarnings(parsed.data).map(({ code, ...w }) => ({ ...place(w), code }));
  if (problems.length > 0) return { ok: false, problems, warnings };
  return { ok: true, lab: parsed.data, problems: [], warnings };
}

/** The parser's message without the "at line L, column C:" the location already says. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** The column (1-based) where a line's key starts, past its indentation and any `- `. */
const keyColumn = (l: string) => /^[ ]*(?:- +)*/.exec(l)![0].length + 1;

/** Where the keys of `line` and of the line before start, said so the slip is visible. */
function indentNote(text: string, line: number): string {
  const lines = text.split('\n');
  const here = lines[line - 1] ?? '';
  const before = lines.slice(0, line - 1).reverse().find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (before === undefined || here.trim() === '') return '';
  return ` (this line's key starts in column ${keyColumn(here)}, the line before's in column ${keyColumn(before)}; keys of one mapping start in the same column)`;
}

function yamlFix(code: string, text: string, line: number): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return `check the indentation and punctuation on this line and the one before${indentNote(text, line)}`;
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

function issueToProblems(issue: Issue, source: (path: (string | number)[]) => string | undefined): Problem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return [{ path, message: `required field is missing`, fix: `add ${String(path.at(-1) ?? 'it')}: with ${describeExpected(issue.expected)}` }];
      // YAML reads `talos: 1.12` as the number 1.12 (and 1.10 as 1.1): text must be quoted.
      if (issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')) {
        const raw = source(path) ?? String(issue.input);
        const key = typeof path.at(-1) === 'string' ? `${String(path.at(-1))}: ` : '';
        return [{ path, message: `expected text, found the ${typeof issue.input} ${raw} (YAML reads an unquoted ${raw} as a ${typeof issue.input})`, fix: `put it in quotes: ${key}"${raw}"` }];
      }
      return [{ path, message: `expected ${describeExpected(issue.expected)}, found ${received(issue.input)}`, fix: `write ${describeExpected(issue.expected)} here` }];
    }
    case 'unrecognized_keys': {
      const known = keysAt(LabSchema, path);
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        return { path: [...path, key], message: `unknown field "${key}"`, fix: guess ? `did you mean "${guess}"? (or remove it; the JSON Schema lists every field)` : 'remove it or correct its spelling (the JSON Schema lists every field)', atKey: true };
      });
    }
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

/** The keys the schema allows at `path` (an object's fields), for "did you mean". */
function keysAt(schema: z.core.$ZodType, path: (string | number)[]): string[] {
  let node: z.core.$ZodType | undefined = schema;
  const unwrap = (n: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    for (let i = 0; n && i < 10; i++) {
      const def = n._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if (def.innerType) n = def.innerType;
      else if (def.type === 'pipe' && def.in) n = def.in;
      else break;
    }
    return n;
  };
  for (const part of path) {
    node = unwrap(node);
    const def = node?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
    if (def?.type === 'object' && typeof part === 'string') node = def.shape?.[part];
    else if (def?.type === 'array' && typeof part === 'number') node = def.element;
    else return [];
  }
  const def = unwrap(node)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** The source text of the scalar at `path`, as the operator wrote it. */
function sourceAt(doc: Document, text: string, path: (string | number)[]): string | undefined {
  let node: unknown = doc.contents;
  for (const part of path) {
    if (isMap(node)) node = node.items.find((it) => isPair(it) && isNode(it.key) && (it.key as { value?: unknown }).value === part)?.value;
    else if (isSeq(node) && typeof part === 'number') node = node.items[part];
    else return undefined;
  }
  const range = isNode(node) ? node.range : undefined;
  return range ? text.slice(range[0], range[1]).trim() : undefined;
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
