// The completion scripts run in the real shells: bash's completion function with COMP_WORDS set
// as bash sets them on <Tab>, zsh's with words/CURRENT/PREFIX set as its completion system does.
// Not modelled: zsh's compsys itself (compadd and _files are stand-ins that print candidates).
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../builder/src/base/index.js';
import { COMMANDS } from '../../builder/src/cli/commands.js';
import { dispatch } from '../../builder/src/cli/dispatch.js';

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const io = memoryIo();
  expect(await dispatch(['completion', shell], io)).toBe(0);
  return io.stdout;
}

async function bashComplete(words: string[]): Promise<string[]> {
  const src = await script('bash');
  const setup = `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _builder; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', `${src}\n${setup}`]);
  return r.stdout.split('\n').filter(Boolean);
}

async function zshComplete(words: string[]): Promise<string[]> {
  const src = await script('zsh');
  const cur = words.at(-1)!;
  const stub = `compdef() { :; }\ncompadd() { [[ "$1" == -- ]] && shift; local w; for w in "$@"; do [[ "$w" == "$PREFIX"* ]] && print -r -- "$w"; done; return 0; }\n_files() { print -r -- FILES; }`;
  const setup = `words=(builder ${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length + 1}; PREFIX='${cur}'; _builder`;
  const r = await execa('zsh', ['-f', '-c', `${stub}\n${src}\n${setup}`]);
  return r.stdout.split('\n').filter(Boolean);
}

describe('builder completion', () => {
  it('bash: commands, group commands, flags from each command’s help, fixed words', async () => {
    const firsts = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))];
    expect((await bashComplete(['builder', ''])).sort()).toEqual([...firsts, '--help', '--version'].sort());
    expect(await bashComplete(['builder', 'ima'])).toEqual(['images']);
    expect((await bashComplete(['builder', 'images', ''])).sort()).toEqual(['import', 'list', 'prune', 'sync', 'verify', '--help'].sort());
    expect(await bashComplete(['builder', 'images', 'sync', '--re'])).toEqual(['--retries']);
    expect(await bashComplete(['builder', 'status', '--co'])).toEqual(['--collector']);
    // A flag another command's help mentions in prose is not offered.
    expect(await bashComplete(['builder', 'bootstrap', '--b'])).toEqual([]);
    expect(await bashComplete(['builder', 'secrets', 'show', ''])).toEqual(['gateway-password']);
    expect((await bashComplete(['builder', 'completion', ''])).sort()).toEqual(['bash', 'zsh']);
    // Every flag of every command completes (the table is the only source).
    for (const entry of COMMANDS) {
      const help = (await entry.load()).help;
      const flags = await bashComplete(['builder', ...entry.name.split(' '), '--']);
      const table = help.split('\n').filter((l) => /^\s+--[a-z]/.test(l)).map((l) => /--[a-z][a-z0-9-]*/.exec(l)![0]);
      for (const f of table) expect(flags, `${entry.name} ${f}`).toContain(f);
      expect(flags).toContain('--help');
    }
  });

  it('zsh: the same candidates from the same table, files where no word is fixed', async () => {
    expect(await zshComplete(['ima'])).toEqual(['images']);
    expect((await zshComplete(['secrets', ''])).sort()).toEqual(['--help', 'import', 'init', 'show']);
    expect(await zshComplete(['make-usb', '--ta'])).toEqual(['--target']);
    expect(await zshComplete(['apply', 'gateway', '--dr'])).toEqual(['--dry-run']);
    expect(await zshComplete(['secrets', 'show', 'g'])).toEqual(['gateway-password']);
    expect(await zshComplete(['media', 'show', ''])).toEqual(['FILES']);
  });

  it('refuses a shell it has no script for', async () => {
    const io = memoryIo();
    expect(await dispatch(['completion', 'fish'], io)).toBe(2);
    expect(io.stderr).toContain('builder completion: give the shell: bash or zsh (got "fish")');
  });
});
