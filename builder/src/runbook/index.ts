export { buildRunbook, anchors, type BuildOptions } from './build.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { remedyIds } from './remedies.js';
export { nextStep, type NextAdvice } from './next.js';
export type { Runbook, Chapter, Step, Section, Block } from './model.js';

import type { Lab } from '@lab/shared';
import { buildRunbook as build } from './build.js';
import { renderHtml as html } from './html.js';
import { renderMarkdown as markdown } from './markdown.js';

/** Both runbook files as text, for media that carry the runbook (the gateway stick). Pure. */
export function renderRunbook(lab: Lab, o: { labArg: string; stateDir: string }): { markdown: string; html: string } {
  const r = build(lab, o);
  return { markdown: markdown(r), html: html(r) };
}
