import { runbookPage, runbookStyle } from '@lab/templates';
import type { Block, Runbook } from './model.js';
import { escapeHtml, inlineHtml } from './inline.js';
import { remedyIds } from './remedies.js';

function blockHtml(b: Block): string {
  switch (b.type) {
    case 'p':
      return `<p>${inlineHtml(b.text)}</p>`;
    case 'note':
      return `<p class="note">${inlineHtml(b.text)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</${tag}>`;
    }
    case 'checks':
      return `<h4>Checks</h4><ul class="checks">${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</ul>`;
    case 'commands':
      return `<p class="where">On the ${escapeHtml(b.where)}</p><pre><code>${escapeHtml(b.lines.join('\n'))}</code></pre>`;
    case 'prompts':
      return `<h4>${escapeHtml(b.title)}</h4><table class="prompts"><thead><tr><th>Prompt</th><th>Answer</th></tr></thead><tbody>${b.rows.map((r) => `<tr><td><code>${escapeHtml(r.prompt)}</code></td><td>${inlineHtml(r.answer)}</td></tr>`).join('')}</tbody></table>`;
    case 'table':
      return `<table><thead><tr>${b.head.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    case 'proof':
      return `<h4>Proof (collector events)</h4><table class="proof"><thead><tr><th>Source</th><th>Event</th><th>When</th><th>Shows</th></tr></thead><tbody>${b.items.map((i) => `<tr><td><code>${escapeHtml(i.source)}</code></td><td><code>${escapeHtml(i.kind)}</code></td><td>${inlineHtml(i.when ?? 'any')}</td><td>${inlineHtml(i.meaning)}</td></tr>`).join('')}</tbody></table>`;
  }
}

const spans = (ids: string[]) => ids.map((id) => `<span id="${escapeHtml(id)}"></span>`).join('');

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => values[key] ?? m);
}

/** One self-contained HTML file: inline CSS, no script, no external asset. */
export function renderHtml(r: Runbook): string {
  const titles = new Map<string, string>(remedyIds().map((x) => [x.id, x.title]));
  const body: string[] = [];
  for (const ch of r.chapters) {
    body.push(`<section id="${escapeHtml(ch.id)}" class="chapter">`, `<h2>${inlineHtml(ch.title)}</h2>`, ...ch.intro.map(blockHtml));
    ch.steps.forEach((s, i) => {
      body.push(`<article class="step" id="${escapeHtml(s.id)}">${spans(s.aliases ?? [])}`, `<h3>Step ${ch.phase ?? ''}.${i + 1} — ${inlineHtml(s.title)}</h3>`, `<p class="purpose">${inlineHtml(s.purpose)}</p>`, ...s.blocks.map(blockHtml));
      if (s.stalls.length > 0) body.push(`<p class="stalls"><strong>If it stalls:</strong> ${s.stalls.map((id) => `<a href="#${escapeHtml(id)}">${escapeHtml(titles.get(id) ?? id)}</a>`).join(' · ')}</p>`);
      body.push('</article>');
    });
    for (const s of ch.sections) body.push(`<section class="sub" id="${escapeHtml(s.id)}">${spans(s.aliases ?? [])}<h3>${inlineHtml(s.title)}</h3>`, ...s.blocks.map(blockHtml), '</section>');
    body.push('</section>');
  }
  return fill(runbookPage, {
    title: escapeHtml(r.title),
    subtitle: inlineHtml(r.subtitle),
    style: runbookStyle,
    cover: `<dl>${r.cover.map((c) => `<dt>${escapeHtml(c.label)}</dt><dd>${inlineHtml(c.value)}</dd>`).join('')}</dl>`,
    toc: `<ol>${r.chapters.map((c) => `<li><a href="#${escapeHtml(c.id)}">${inlineHtml(c.title)}</a></li>`).join('')}</ol>`,
    body: body.join('\n'),
    footer: 'Generated from the lab file by the builder CLI (its runbook command). Regenerate after every change to the lab file.',
  });
}
