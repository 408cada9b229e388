import type { ConfigBoot, ConfigNode } from './tree.js';

/** A config.boot that cannot be read; `line` and `column` are 1-based. */
export class ConfigBootSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}:${column}: ${reason}`);
    this.name = 'ConfigBootSyntaxError';
  }
}

interface Frame {
  node: ConfigNode | undefined;
  children: ConfigNode[];
  line: number;
}

/**
 * Reads a VyOS config.boot: statements one per line, `{ }` blocks, `/* *\/` comments attached
 * to the node they precede, a header comment separated by a blank line, and the `//` footer.
 */
export function parseConfigBoot(text: string, source = 'config.boot'): ConfigBoot {
  const s = text.replace(/\r\n/g, '\n');
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (reason: string, at = pos): never => {
    const before = s.slice(0, at);
    const l = before.split('\n').length;
    const col = at - (before.lastIndexOf('\n') + 1) + 1;
    throw new ConfigBootSyntaxError(source, l, col, reason);
  };

  const root: Frame = { node: undefined, children: [], line: 1 };
  const stack: Frame[] = [root];
  let pending: string[] = [];
  /** Where the pending comments (or, if none, the next statement) began. */
  let pendingStart = -1;
  let header = '';
  let headerDone = false;
  let lastTopEnd = -1;
  let footerStart = -1;

  const skipSpaces = () => {
    while (pos < s.length && (s[pos] === ' ' || s[pos] === '\t')) pos++;
  };
  const endOfLine = (what: string) => {
    skipSpaces();
    if (pos < s.length && s[pos] !== '\n') fail(`unexpected text after ${what}; put one statement per line`);
    if (pos < s.length) pos++;
    line++;
    lineStart = pos;
  };
  const readComment = (): string => {
    const start = pos + 2;
    const end = s.indexOf('*/', start);
    if (end < 0) fail('comment opened with /* is never closed with */');
    line += s.slice(pos, end).split('\n').length - 1;
    pos = end + 2;
    return s.slice(start, end);
  };
  const readWord = (): { text: string; quoted: boolean } => {
    if (s[pos] === '"') {
      let out = '';
      pos++;
      while (pos < s.length && s[pos] !== '"') {
        if (s[pos] === '\n') fail('a quoted value must end on its line; close it with "');
        if (s[pos] === '\\' && pos + 1 < s.length && s[pos + 1] !== '\n') {
          out += s[pos + 1];
          pos += 2;
          continue;
        }
        out += s[pos];
        pos++;
      }
      if (pos >= s.length) fail('a quoted value is never closed with "');
      pos++;
      return { text: out, quoted: true };
    }
    const start = pos;
    while (pos < s.length && !/[\s{}"]/.test(s[pos]!)) pos++;
    return { text: s.slice(start, pos), quoted: false };
  };

  while (pos < s.length) {
    skipSpaces();
    const c = s[pos];
    if (c === '\n') {
      // A blank line after the leading comments makes them the file's header.
      if (stack.length === 1 && !headerDone && pending.length > 0 && root.children.length === 0) {
        pending = [];
        pendingStart = -1;
      }
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (pos >= s.length) break;
    if (c === '/' && s[pos + 1] === '*') {
      if (pendingStart < 0) pendingStart = lineStart;
      pending.push(readComment());
      endOfLine('a comment');
      continue;
    }
    if (c === '/' && s[pos + 1] === '/') {
      if (stack.length > 1) fail('a // comment belongs only in the footer, after the last closing brace');
      footerStart = lastTopEnd < 0 ? 0 : lastTopEnd;
      const rest = s.slice(footerStart);
      const bad = rest.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('//') && !/^\s*\/\*.*\*\/\s*$/.test(l));
      if (bad >= 0) fail('nothing but // lines may follow the version footer', footerStart + rest.split('\n').slice(0, bad).join('\n').length + 1);
      break;
    }
    if (c === '}') {
      if (stack.length === 1) fail('this } closes no block; remove it or add the opening line');
      const frame = stack.pop()!;
      if (pending.length) frame.node!.trailingComments = pending;
      pending = [];
      pendingStart = -1;
      pos++;
      endOfLine('}');
      if (stack.length === 1) lastTopEnd = pos;
      continue;
    }
    if (c === '{') fail('a block needs a name before {');
    if (c === '"') fail('a statement starts with a name, not a quoted value');

    // A statement: name [value] [{]
    const stmtStart = lineStart;
    const name = readWord().text;
    skipSpaces();
    const n: ConfigNode = { name };
    if (pos < s.length && s[pos] !== '\n' && s[pos] !== '{') {
      const v = readWord();
      if (v.text === '' && !v.quoted) fail(`unexpected character ${JSON.stringify(s[pos])} after "${name}"`);
      n.value = v.text;
      if (v.quoted) n.quoted = true;
      skipSpaces();
    }
    if (pending.length) n.comments = pending;
    if (stack.length === 1 && !headerDone) {
      header = s.slice(0, pendingStart >= 0 ? pendingStart : stmtStart);
      headerDone = true;
    }
    pending = [];
    pendingStart = -1;
    stack[stack.length - 1]!.children.push(n);
    if (s[pos] === '{') {
      pos++;
      n.children = [];
      stack.push({ node: n, children: n.children, line });
      endOfLine('{');
    } else {
      if (pos < s.length && s[pos] !== '\n') fail(`"${name}" takes at most one value; quote a value that holds spaces`);
      endOfLine(`"${name}"`);
      if (stack.length === 1) lastTopEnd = pos;
    }
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new ConfigBootSyntaxError(source, open.line, 1, `block "${open.node!.name}${open.node!.value !== undefined ? ` ${open.node!.value}` : ''}" is never closed; add a }`);
  }
  if (footerStart < 0) {
    if (!headerDone) header = s;
    footerStart = lastTopEnd < 0 ? s.length : lastTopEnd;
  }
  return { header: headerDone ? header : footerStart === 0 ? '' : header, nodes: root.children, footer: s.slice(footerStart) };
}
