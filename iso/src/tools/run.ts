import { execa, type Options, type ResultPromise } from 'execa';

/** A failed external program: names the command line, the file it worked on and its stderr. */
export class ToolError extends Error {
  override name = 'ToolError';
  constructor(
    readonly command: string,
    readonly file: string,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    const detail = stderr.trim().split('\n').slice(-8).join('\n  ');
    super(`${command.split(' ')[0]} failed on ${file}: ${detail || 'no error output'}\n  command: ${command}`, options);
  }
}

interface ExecaFailure {
  command?: string;
  stderr?: unknown;
  shortMessage?: string;
  code?: string;
}

function failure(program: string, args: string[], file: string, err: unknown): ToolError {
  const e = err as ExecaFailure;
  const stderr = typeof e.stderr === 'string' && e.stderr ? e.stderr : (e.shortMessage ?? String(err));
  const hint = e.code === 'ENOENT' ? `${program} is not installed (run \`npm run setup\`)` : stderr;
  return new ToolError([program, ...args].join(' '), file, hint, { cause: err });
}

/** Runs a program to completion and returns its stdout as text. `file` names what it worked on. */
export async function runText(program: string, args: string[], file: string, options: Options = {}): Promise<string> {
  try {
    const r = await execa(program, args, { ...options, stripFinalNewline: false, encoding: 'utf8' });
    return String(r.stdout ?? '');
  } catch (err) {
    throw failure(program, args, file, err);
  }
}

/** Runs a program to completion with binary stdout. */
export async function runBuffer(program: string, args: string[], file: string, options: Options = {}): Promise<Buffer> {
  try {
    const r = await execa(program, args, { ...options, encoding: 'buffer', stripFinalNewline: false });
    return Buffer.from(r.stdout as unknown as Uint8Array);
  } catch (err) {
    throw failure(program, args, file, err);
  }
}

/** Starts a program whose stdio the caller wires (streams); await `done` for its result. */
export function spawnTool(program: string, args: string[], file: string, options: Options): { child: ResultPromise; done: Promise<void> } {
  const child = execa(program, args, { ...options, buffer: { stdout: false, stderr: true } } as Options);
  const done = child.then(
    () => undefined,
    (err: unknown) => {
      throw failure(program, args, file, err);
    },
  );
  return { child, done };
}
