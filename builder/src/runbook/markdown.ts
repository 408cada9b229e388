import type { Block, Runbook } from './model.js';
import { cellMd } from './inline.js';

function blockMd(b: Block): string {
  switch (b.type) {
    case 'p':
      return `${b.text}\n`;
    case 'note':
      return `> **Note:** ${b.text}\n`;
    case 'list':
      return `${b.items.map((i, n) => `${b.ordered ? `${n + 1}.` : '-'} ${i}`).join('\n')}\n`;
    case 'checks':
      return `**Checks**\n\n${b.items.map((i) => `- [ ] ${i}`).join('\n')}\n`;
    case 'commands':
      return `On the ${b.where}:\n\n\`\`\`sh\n${b.lines.join('\n')}\n\`\`\`\n`;
    case 'prompts':
      return `**${b.title}**\n\n| Prompt | Answer |\n|---|---|\n${b.rows.map((r) => `| \`${r.prompt.replace(/\|/g, '\\|')}\` | ${cellMd(r.answer)} |`).join('\n')}\n`;
    case 'table':
      return `| ${b.head.map(cellMd).join(' | ')} |\n|${b.head.map(() => '---').join('|')}|\n${b.rows.map((r) => `| ${r.map(cellMd).join(' | ')} |`).join('\n')}\n`;
    case 'proof':
      return `**Proof** (collector events)\n\n| Source | Event | When | Shows |\n|---|---|---|---|\n${b.items.map((i) => `| \`${i.source}\` | \`${i.kind}\` | ${cellMd(i.when ?? 'any')} | ${cellMd(i.meaning)} |`).join('\n')}\n`;
  }
}

const anchor = (id: string) => `<a id="${id}"></a>`;

/** The runbook as one Markdown file (anchors as <a id> so links match the HTML). */
export function renderMarkdown(r: Runbook): string {
  const out: string[] = [`# ${r.title}`, '', r.subtitle, '', ...r.cover.map((c) => `- **${c.label}:** ${c.value}`), '', '## Contents', ''];
  r.chapters.forEach((ch, i) => out.push(`${i + 1}. [${ch.title}](#${ch.id})`));
  out.push('');
  for (const ch of r.chapters) {
    out.push(`${anchor(ch.id)}`, `## ${ch.title}`, '');
    for (const b of ch.intro) out.push(blockMd(b));
    ch.steps.forEach((s, i) => {
      out.push(`${[s.id, ...(s.aliases ?? [])].map(anchor).join('')}`, `### Step ${ch.phase ?? ''}.${i + 1} — ${s.title}`, '', `*${s.purpose}*`, '');
      for (const b of s.blocks) out.push(blockMd(b));
      if (s.stalls.length > 0) out.push(`**If it stalls:** ${s.stalls.map((id) => `[${id}](#${id})`).join(', ')}`, '');
    });
    for (const s of ch.sections) {
      out.push(`${[s.id, ...(s.aliases ?? [])].map(anchor).join('')}`, `### ${s.title}`, '');
      for (const b of s.blocks) out.push(blockMd(b));
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
