import { isBlock, type ConfigNode } from './tree.js';

/**
 * One config path as a `set` command names it: the words down to a leaf and the leaf's value,
 * or the words of an empty block (`protocols static route 0.0.0.0/0 next-hop 10.0.0.1`) or of
 * a valueless leaf (`service ssh disable-password-authentication`), which carry no value.
 */
export interface ConfigPath {
  path: string[];
  value?: string;
}

/** Every path of a tree, in the tree's order. Blocks with children are implied by their paths. */
export function configPaths(nodes: readonly ConfigNode[], prefix: string[] = []): ConfigPath[] {
  const out: ConfigPath[] = [];
  for (const n of nodes) {
    if (isBlock(n)) {
      const here = n.value === undefined ? [...prefix, n.name] : [...prefix, n.name, n.value];
      if (n.children.length === 0) out.push({ path: here });
      else out.push(...configPaths(n.children, here));
    } else if (n.value === undefined) out.push({ path: [...prefix, n.name] });
    else out.push({ path: [...prefix, n.name], value: n.value });
  }
  return out;
}

const PLAIN = /^[A-Za-z0-9_.:/@+=,-]+$/;

/** Quotes a word for VyOS's shell-like command line (single quotes, as `show | commands` does). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function pathWord(word: string): string {
  return PLAIN.test(word) ? word : shellQuote(word);
}

/** `interfaces ethernet eth0 address '10.0.0.2/30'` — the text after `set`. */
export function formatPath(p: ConfigPath): string {
  const words = p.path.map(pathWord).join(' ');
  return p.value === undefined ? words : `${words} ${shellQuote(p.value)}`;
}
