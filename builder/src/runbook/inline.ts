/** Inline markup shared by the renderers: `code` spans and [text](#anchor) links. */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline text → HTML: everything escaped, then code spans and in-document links. */
export function inlineHtml(text: string): string {
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((p) => {
      if (p.startsWith('`') && p.endsWith('`') && p.length >= 2) return `<code>${escapeHtml(p.slice(1, -1))}</code>`;
      return escapeHtml(p).replace(/\[([^\]]+)\]\(#([A-Za-z0-9_-]+)\)/g, (_m, label: string, id: string) => `<a href="#${id}">${label}</a>`);
    })
    .join('');
}

/** Inline text → Markdown table cell (pipes escaped). */
export function cellMd(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
