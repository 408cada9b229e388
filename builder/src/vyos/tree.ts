/**
 * The config.boot tree. A node is one statement of the file:
 *   `firewall { … }`            name, children
 *   `ethernet eth0 { … }`       name, value (the tag key), children
 *   `address 10.0.0.2/30`       name, value (a leaf)
 *   `disable-password-authentication`   name only (a valueless leaf)
 * A multi-value leaf is several sibling nodes with the same name, as the file writes it.
 */
export interface ConfigNode {
  name: string;
  /** A tag node's key or a leaf's value. */
  value?: string;
  /** Present for `{ … }` blocks (possibly empty); absent for leaves. */
  children?: ConfigNode[];
  /** Text inside the `/* … *\/` comments written on the lines before this node. */
  comments?: string[];
  /** Comments after the last child, before the closing brace. */
  trailingComments?: string[];
  /** The value was written in double quotes; the printer keeps it that way. */
  quoted?: boolean;
}

export interface ConfigBoot {
  /** Raw text before the first node (a file comment and the blank lines after it). */
  header: string;
  nodes: ConfigNode[];
  /** Raw text after the last node: blank lines and the `//` version footer. */
  footer: string;
}

export function node(name: string, children: ConfigNode[], comments?: string[]): ConfigNode {
  return comments?.length ? { name, children, comments } : { name, children };
}

export function tagNode(name: string, key: string, children: ConfigNode[] = [], comments?: string[]): ConfigNode {
  return comments?.length ? { name, value: key, children, comments } : { name, value: key, children };
}

export function leaf(name: string, value?: string | number): ConfigNode {
  return value === undefined ? { name } : { name, value: String(value) };
}

/** One leaf node per value: how a multi-value leaf is written. */
export function leaves(name: string, values: readonly (string | number)[]): ConfigNode[] {
  return values.map((v) => leaf(name, v));
}

export function isBlock(n: ConfigNode): n is ConfigNode & { children: ConfigNode[] } {
  return n.children !== undefined;
}

/** Natural order: digit runs compare as numbers, so `rule 9` sorts before `rule 10`. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

/**
 * VyOS's own order: siblings by name, tag entries of one name by key; the values of a
 * multi-value leaf keep the order they were set in (VyOS keeps it too).
 */
export function sortTree(nodes: readonly ConfigNode[]): ConfigNode[] {
  const indexed = nodes.map((n, i) => ({ n, i }));
  indexed.sort((a, b) => {
    const byName = naturalCompare(a.n.name, b.n.name);
    if (byName !== 0) return byName;
    if (isBlock(a.n) && isBlock(b.n) && a.n.value !== undefined && b.n.value !== undefined) {
      const byKey = naturalCompare(a.n.value, b.n.value);
      if (byKey !== 0) return byKey;
    }
    return a.i - b.i;
  });
  return indexed.map(({ n }) => (isBlock(n) ? { ...n, children: sortTree(n.children) } : n));
}

/** Removes comments and quoting marks, leaving only what VyOS would store. */
export function stripTrivia(nodes: readonly ConfigNode[]): ConfigNode[] {
  return nodes.map((n) => {
    const out: ConfigNode = { name: n.name };
    if (n.value !== undefined) out.value = n.value;
    if (n.children) out.children = stripTrivia(n.children);
    return out;
  });
}

/**
 * Finds the nodes at a path of words as a `set` command spells it (tag keys included), e.g.
 * `['interfaces', 'ethernet', 'eth0']`. Returns every match (several for a multi-value leaf).
 */
export function findNodes(nodes: readonly ConfigNode[], path: readonly string[]): ConfigNode[] {
  if (path.length === 0) return [];
  const [head, ...rest] = path;
  const out: ConfigNode[] = [];
  for (const n of nodes) {
    if (n.name !== head) continue;
    if (n.value !== undefined && isBlock(n)) {
      // A tag node consumes its key as the next word.
      if (rest.length === 0) out.push(n);
      else if (rest[0] === n.value) out.push(...(rest.length === 1 ? [n] : findNodes(n.children, rest.slice(1))));
    } else if (rest.length === 0) out.push(n);
    else if (isBlock(n)) out.push(...findNodes(n.children, rest));
  }
  return out;
}

/** The values of the leaves at a path (empty when there are none). */
export function leafValues(nodes: readonly ConfigNode[], path: readonly string[]): string[] {
  return findNodes(nodes, path)
    .filter((n) => !isBlock(n) && n.value !== undefined)
    .map((n) => n.value!);
}
