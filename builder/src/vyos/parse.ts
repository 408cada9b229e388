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
  return new ConfigBootReader(text.replace(/\r\n/g, '\n'), source).read();
}

/** One pass over the text; each kind of line has its step. */
class ConfigBootReader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly root: Frame = { node: undefined, children: [], line: 1 };
  private readonly stack: Frame[] = [this.root];
  private pending: string[] = [];
  /** Where the pending comments (or, if none, the next statement) began. */
  private pendingStart = -1;
  private header = '';
  private headerDone = false;
  private lastTopEnd = -1;
  private footerStart = -1;

  constructor(
    private readonly s: string,
    private readonly source: string,
  ) {}

  read(): ConfigBoot {
    const s = this.s;
    while (this.pos < s.length) {
      this.skipSpaces();
      const c = s[this.pos];
      if (c === '\n') this.blankOrEndOfLine();
      else if (this.pos >= s.length) break;
      else if (c === '/' && s[this.pos + 1] === '*') this.comment();
      else if (c === '/' && s[this.pos + 1] === '/') {
        this.footer();
        break;
      } else if (c === '}') this.closeBlock();
      else if (c === '{') this.fail('a block needs a name before {');
      else if (c === '"') this.fail('a statement starts with a name, not a quoted value');
      else this.statement();
    }
    return this.finish();
  }

  private fail(reason: string, at = this.pos): never {
    const before = this.s.slice(0, at);
    const l = before.split('\n').length;
    const col = at - (before.lastIndexOf('\n') + 1) + 1;
    throw new ConfigBootSyntaxError(this.source, l, col, reason);
  }

  private skipSpaces(): void {
    while (this.pos < this.s.length && (this.s[this.pos] === ' ' || this.s[this.pos] === '\t')) this.pos++;
  }

  private endOfLine(what: string): void {
    this.skipSpaces();
    if (this.pos < this.s.length && this.s[this.pos] !== '\n') this.fail(`unexpected text after ${what}; put one statement per line`);
    if (this.pos < this.s.length) this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  private clearPending(): void {
    this.pending = [];
    this.pendingStart = -1;
  }

  private readComment(): string {
    const start = this.pos + 2;
    const end = this.s.indexOf('*/', start);
    if (end < 0) this.fail('comment opened with /* is never closed with */');
    this.line += this.s.slice(this.pos, end).split('\n').length - 1;
    this.pos = end + 2;
    return this.s.slice(start, end);
  }

  private readQuoted(): string {
    const s = this.s;
    let out = '';
    this.pos++;
    while (this.pos < s.length && s[this.pos] !== '"') {
      if (s[this.pos] === '\n') this.fail('a quoted value must end on its line; close it with "');
      if (s[this.pos] === '\\' && this.pos + 1 < s.length && s[this.pos + 1] !== '\n') {
        out += s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += s[this.pos];
      this.pos++;
    }
    if (this.pos >= s.length) this.fail('a quoted value is never closed with "');
    this.pos++;
    return out;
  }

  private readWord(): { text: string; quoted: boolean } {
    if (this.s[this.pos] === '"') return { text: this.readQuoted(), quoted: true };
    const start = this.pos;
    while (this.pos < this.s.length && !/[\s{}"]/.test(this.s[this.pos]!)) this.pos++;
    return { text: this.s.slice(start, this.pos), quoted: false };
  }

  /** An empty line; a blank line after the leading comments makes them the file's header. */
  private blankOrEndOfLine(): void {
    if (this.stack.length === 1 && !this.headerDone && this.pending.length > 0 && this.root.children.length === 0) this.clearPending();
    this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  /** A `/* *\/` comment: kept for the node that follows it. */
  private comment(): void {
    if (this.pendingStart < 0) this.pendingStart = this.lineStart;
    this.pending.push(this.readComment());
    this.endOfLine('a comment');
  }

  /** The `//` version footer: only // lines (and lone comments) may follow. */
  private footer(): void {
    if (this.stack.length > 1) this.fail('a // comment belongs only in the footer, after the last closing brace');
    this.footerStart = this.lastTopEnd < 0 ? 0 : this.lastTopEnd;
    const rest = this.s.slice(this.footerStart);
    const bad = rest.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('//') && !/^\s*\/\*.*\*\/\s*$/.test(l));
    if (bad >= 0) this.fail('nothing but // lines may follow the version footer', this.footerStart + rest.split('\n').slice(0, bad).join('\n').length + 1);
  }

  private closeBlock(): void {
    if (this.stack.length === 1) this.fail('this } closes no block; remove it or add the opening line');
    const frame = this.stack.pop()!;
    if (this.pending.length) frame.node!.trailingComments = this.pending;
    this.clearPending();
    this.pos++;
    this.endOfLine('}');
    if (this.stack.length === 1) this.lastTopEnd = this.pos;
  }

  /** A statement: name [value] [{]. */
  private statement(): void {
    const s = this.s;
    const stmtStart = this.lineStart;
    const name = this.readWord().text;
    this.skipSpaces();
    const n: ConfigNode = { name };
    if (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '{') {
      const v = this.readWord();
      if (v.text === '' && !v.quoted) this.fail(`unexpected character ${JSON.stringify(s[this.pos])} after "${name}"`);
      n.value = v.text;
      if (v.quoted) n.quoted = true;
      this.skipSpaces();
    }
    if (this.pending.length) n.comments = this.pending;
    if (this.stack.length === 1 && !this.headerDone) {
      this.header = s.slice(0, this.pendingStart >= 0 ? this.pendingStart : stmtStart);
      this.headerDone = true;
    }
    this.clearPending();
    this.stack[this.stack.length - 1]!.children.push(n);
    if (s[this.pos] === '{') {
      this.pos++;
      n.children = [];
      this.stack.push({ node: n, children: n.children, line: this.line });
      this.endOfLine('{');
    } else {
      if (this.pos < s.length && s[this.pos] !== '\n') this.fail(`"${name}" takes at most one value; quote a value that holds spaces`);
      this.endOfLine(`"${name}"`);
      if (this.stack.length === 1) this.lastTopEnd = this.pos;
    }
  }

  private finish(): ConfigBoot {
    if (this.stack.length > 1) {
      const open = this.stack[this.stack.length - 1]!;
      throw new ConfigBootSyntaxError(this.source, open.line, 1, `block "${open.node!.name}${open.node!.value !== undefined ? ` ${open.node!.value}` : ''}" is never closed; add a }`);
    }
    if (this.footerStart < 0) {
      if (!this.headerDone) this.header = this.s;
      this.footerStart = this.lastTopEnd < 0 ? this.s.length : this.lastTopEnd;
    }
    const header = this.headerDone ? this.header : this.footerStart === 0 ? '' : this.header;
    return { header, nodes: this.root.children, footer: this.s.slice(this.footerStart) };
  }
}
