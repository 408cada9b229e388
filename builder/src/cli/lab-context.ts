import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the lab a command acts on came from, in the order they are tried. */
export type LabSource = 'flag' | 'cwd' | 'env' | 'example';

export interface LabChoice {
  /** The lab file as the operator wrote it (or, for the example, as reachable from cwd). */
  file: string;
  source: LabSource;
}

const EXAMPLE = join('examples', 'genesis', 'lab.yaml');

/** The example lab shipped with the tool: found upwards from this module (src/ or the dist bundle). */
export function exampleLab(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, EXAMPLE))) return join(dir, EXAMPLE);
    dir = dirname(dir);
  }
  return resolve(EXAMPLE);
}

/** A path as a person reads it: relative when inside cwd, else absolute (never `../`). */
export function shownPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? abs : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** The value of `--lab` in argv (`--lab X` or `--lab=X`), if given. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === `--${flag}`) return argv[i + 1];
    if (a.startsWith(`--${flag}=`)) return a.slice(flag.length + 3);
  }
  return undefined;
}

/** One lab context: `--lab`, else ./lab.yaml here, else $BUILDER_LAB, else the example. */
export function chooseLab(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): LabChoice {
  const flag = flagValue(argv, 'lab');
  if (flag !== undefined) return { file: flag, source: 'flag' };
  if (existsSync(join(cwd, 'lab.yaml'))) return { file: 'lab.yaml', source: 'cwd' };
  if (env.BUILDER_LAB) return { file: env.BUILDER_LAB, source: 'env' };
  const example = exampleLab();
  return { file: shownPath(cwd, example), source: 'example' };
}

const SAID: Record<LabSource, string> = {
  flag: '--lab',
  cwd: './lab.yaml in this directory',
  env: '$BUILDER_LAB',
  example: 'the example lab: no --lab, no ./lab.yaml here, BUILDER_LAB unset',
};

/** The line every lab command prints first (on stderr), so the operator knows which lab it touches. */
export function labLine(choice: LabChoice, state: string | undefined): string {
  return `lab: ${choice.file} (${SAID[choice.source]})${state !== undefined ? `, state: ${state}` : ''}\n`;
}

/** How help texts say where --lab defaults to. */
export const LAB_DEFAULT = './lab.yaml, else $BUILDER_LAB, else the example';
