// Runbook page shell and stylesheet (filled by builder/src/runbook/html.ts). The stylesheet is
// .css.txt because Vitest empties .css imports, raw or not.
export { default as runbookPage } from './page.html?raw';
export { default as runbookStyle } from './style.css.txt?raw';
