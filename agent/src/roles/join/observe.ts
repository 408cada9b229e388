/**
 * Pure readings of API documents: each watcher turns a document into a map of named states, and
 * `changes` compares two maps so that only differences become events.
 */
interface Condition {
  type?: string;
  status?: string;
}
interface NodeList {
  items?: Array<{ metadata?: { name?: string }; status?: { conditions?: Condition[] } }>;
}
interface AppList {
  items?: Array<{ metadata?: { name?: string }; status?: { health?: { status?: string }; sync?: { status?: string } } }>;
}

export function nodeReadiness(doc: NodeList): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const n of doc.items ?? []) {
    const name = n.metadata?.name;
    if (!name) continue;
    out.set(name, (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  }
  return out;
}

export function appStates(doc: AppList): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of doc.items ?? []) {
    const name = a.metadata?.name;
    if (!name) continue;
    out.set(name, `${a.status?.health?.status ?? 'Unknown'}/${a.status?.sync?.status ?? 'Unknown'}`);
  }
  return out;
}

export function changes<V>(before: Map<string, V> | undefined, after: Map<string, V>): Array<[string, V]> {
  const out: Array<[string, V]> = [];
  for (const [k, v] of after) if (before?.get(k) !== v) out.push([k, v]);
  return out;
}
