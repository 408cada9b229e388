export { buildRunbook, anchors, type BuildOptions } from './build.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { remedyIds } from './remedies.js';
export { nextStep, type NextAdvice } from './next.js';
export type { Runbook, Chapter, Step, Section, Block } from './model.js';
