/** One thing wrong with a lab file: where (a path into the document), what, and how to fix it. */
export interface Problem {
  path: (string | number)[];
  message: string;
  fix: string;
  /** Point at the key of the last path element instead of its value (unknown fields). */
  atKey?: boolean;
}

/** A problem placed in the file. Line and column are 1-based. */
export interface LocatedProblem extends Problem {
  file: string;
  line: number;
  column: number;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(document)' : out;
}

/** `FILE:LINE:COLUMN path: what is wrong — how to fix it` */
export function formatProblem(p: LocatedProblem): string {
  return `${p.file}:${p.line}:${p.column} ${formatPath(p.path)}: ${p.message} — ${p.fix}`;
}

/** A warning placed in the file: a stable code besides what a problem says. */
export interface LocatedWarning extends LocatedProblem {
  code: string;
}

/** `FILE:LINE:COLUMN warning: path: what may go wrong — what to do [CODE]` */
export function formatWarning(w: LocatedWarning): string {
  return `${w.file}:${w.line}:${w.column} warning: ${formatPath(w.path)}: ${w.message} — ${w.fix} [${w.code}]`;
}
