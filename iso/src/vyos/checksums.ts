/**
 * Updates a live ISO's sha256sum.txt (live-build writes `<hex>  ./path` for each file; VyOS's
 * `add system image` runs `sha256sum -c` on it) for files a remaster replaced or added.
 */
export function updateChecksums(text: string, files: { path: string; sha256: string }[]): string {
  const want = new Map(files.map((f) => [`./${f.path.replace(/^\/+/, '')}`, f.sha256]));
  const lines = text.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
  const seen = new Set<string>();
  const out = lines.map((l) => {
    const m = /^([0-9a-f]{64})(\s+\*?)(.+)$/.exec(l);
    if (!m) return l;
    const path = m[3]!.startsWith('./') ? m[3]! : `./${m[3]!.replace(/^\/+/, '')}`;
    const sum = want.get(path);
    if (sum === undefined) return l;
    seen.add(path);
    return `${sum}${m[2]}${m[3]}`;
  });
  for (const [path, sum] of want) if (!seen.has(path)) out.push(`${sum}  ${path}`);
  return `${out.join('\n')}\n`;
}
