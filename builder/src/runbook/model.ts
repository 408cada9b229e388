import type { StageId } from '@lab/shared';

/**
 * The runbook as data: chapters of sections of blocks. Built purely from the lab and the phase
 * model; rendered to Markdown and HTML, and read by `builder next`. Inline text may carry
 * `code` spans (backticks); renderers escape everything else.
 */

export type Block =
  | { type: 'p'; text: string }
  | { type: 'list'; items: string[]; ordered?: boolean }
  | { type: 'commands'; where: string; lines: string[] }
  | { type: 'prompts'; title: string; rows: { prompt: string; answer: string }[] }
  | { type: 'table'; head: string[]; rows: string[][] }
  | { type: 'proof'; items: { source: string; kind: string; when?: string; meaning: string }[] }
  | { type: 'checks'; items: string[] }
  | { type: 'note'; text: string };

/** When a step counts as done, from the collector's status. */
export type DoneWhen = { host: string; stage: StageId } | { check: string } | { never: true };

export interface Step {
  id: string;
  title: string;
  purpose: string;
  /** Extra anchors pointing at this step (phase check ids). */
  aliases?: string[];
  blocks: Block[];
  /** Runbook anchors (remedy ids) to read when this step stalls. */
  stalls: string[];
  doneWhen: DoneWhen[];
}

export interface Section {
  id: string;
  title: string;
  /** Extra anchors pointing at this section (stall rule ids, check ids). */
  aliases?: string[];
  blocks: Block[];
}

export interface Chapter {
  id: string;
  title: string;
  /** Phase number for phase chapters. */
  phase?: number;
  intro: Block[];
  steps: Step[];
  sections: Section[];
}

export interface Runbook {
  title: string;
  subtitle: string;
  /** Facts for the cover page: label → value. */
  cover: { label: string; value: string }[];
  chapters: Chapter[];
}
