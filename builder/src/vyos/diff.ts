import { configPaths, formatPath, shellQuote, type ConfigPath } from './paths.js';
import type { ConfigNode } from './tree.js';

export interface ChangedPath {
  path: string[];
  from: string;
  to: string;
}

export interface ConfigDiff {
  added: ConfigPath[];
  removed: ConfigPath[];
  changed: ChangedPath[];
}

const keyOf = (path: readonly string[]) => path.join('\u0000');

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length < path.length && prefix.every((w, i) => path[i] === w);
}

/**
 * What turns `before` into `after`, as config paths. A single-value leaf whose value differs is
 * `changed`; the values of a multi-value leaf are added and removed one by one. Order of
 * siblings, comments and quoting do not count. An empty block that merely gained or lost
 * children is not listed (its children are).
 */
export function diffConfig(before: readonly ConfigNode[], after: readonly ConfigNode[]): ConfigDiff {
  const a = configPaths(before);
  const b = configPaths(after);
  const group = (paths: ConfigPath[]) => {
    const m = new Map<string, { path: string[]; values: (string | undefined)[] }>();
    for (const p of paths) {
      const k = keyOf(p.path);
      const g = m.get(k) ?? { path: p.path, values: [] };
      g.values.push(p.value);
      m.set(k, g);
    }
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const added: ConfigPath[] = [];
  const removed: ConfigPath[] = [];
  const changed: ChangedPath[] = [];
  const withValue = (path: string[], value: string | undefined): ConfigPath => (value === undefined ? { path } : { path, value });

  for (const [k, old] of ga) {
    const now = gb.get(k);
    if (!now) {
      for (const v of old.values) removed.push(withValue(old.path, v));
      continue;
    }
    const [ov] = old.values;
    const [nv] = now.values;
    if (old.values.length === 1 && now.values.length === 1 && ov !== undefined && nv !== undefined) {
      if (ov !== nv) changed.push({ path: old.path, from: ov, to: nv });
      continue;
    }
    const rest = [...now.values];
    for (const v of old.values) {
      const i = rest.indexOf(v);
      if (i >= 0) rest.splice(i, 1);
      else removed.push(withValue(old.path, v));
    }
    for (const v of rest) added.push(withValue(now.path, v));
  }
  for (const [k, now] of gb) if (!ga.has(k)) for (const v of now.values) added.push(withValue(now.path, v));

  // An empty block on one side that has children on the other is neither added nor removed.
  const drop = (list: ConfigPath[], other: ConfigPath[]) =>
    list.filter((p) => p.value !== undefined || !other.some((o) => isPrefix(p.path, o.path)));
  return { added: drop(added, a), removed: drop(removed, b), changed };
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

/** One line per path: `+ added`, `- removed`, `~ changed 'from' -> 'to'`. */
export function formatDiff(d: ConfigDiff): string[] {
  return [
    ...d.removed.map((p) => `- ${formatPath(p)}`),
    ...d.added.map((p) => `+ ${formatPath(p)}`),
    ...d.changed.map((c) => `~ ${formatPath({ path: c.path, value: c.from })} -> ${shellQuote(c.to)}`),
  ];
}
