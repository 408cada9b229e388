import { isBlock, type ConfigBoot, type ConfigNode } from './tree.js';

export interface PrintOptions {
  /**
   * `as-written` quotes a leaf value only when it was quoted or must be (spaces, braces…);
   * `always` quotes every leaf value, as VyOS 1.4 and later write config.boot.
   */
  quoteLeaves?: 'as-written' | 'always';
}

const INDENT = '    ';

function mustQuote(value: string): boolean {
  return value === '' || /[\s{}"'\\;#]/.test(value) || value.startsWith('/*') || value.startsWith('//');
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function printNodes(nodes: readonly ConfigNode[], depth: number, opts: PrintOptions, out: string[]): void {
  const pad = INDENT.repeat(depth);
  for (const n of nodes) {
    for (const c of n.comments ?? []) out.push(`${pad}/*${c}*/\n`);
    let head = `${pad}${n.name}`;
    if (n.value !== undefined) {
      const leafQuote = !isBlock(n) && opts.quoteLeaves === 'always';
      head += ` ${n.quoted || leafQuote || mustQuote(n.value) ? quote(n.value) : n.value}`;
    }
    if (isBlock(n)) {
      out.push(`${head} {\n`);
      printNodes(n.children, depth + 1, opts, out);
      for (const c of n.trailingComments ?? []) out.push(`${pad}${INDENT}/*${c}*/\n`);
      out.push(`${pad}}\n`);
    } else out.push(`${head}\n`);
  }
}

/** Writes a config.boot; `print(parse(text)) === text` for files in VyOS's own layout. */
export function printConfigBoot(file: ConfigBoot, opts: PrintOptions = {}): string {
  const out: string[] = [file.header];
  printNodes(file.nodes, 0, opts, out);
  out.push(file.footer);
  return out.join('');
}

/** Writes just a tree (no header or footer). */
export function printNodesText(nodes: readonly ConfigNode[], opts: PrintOptions = {}): string {
  const out: string[] = [];
  printNodes(nodes, 0, opts, out);
  return out.join('');
}
