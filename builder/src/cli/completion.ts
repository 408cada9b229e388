import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { UsageError } from '../base/index.js';
import { EXIT } from './exit.js';
import { COMMANDS } from './commands.js';
import { groups } from './help.js';

/** What completes after each command: its flags (read from its --help) and fixed words. */
interface Spec {
  name: string;
  flags: string[];
  words: string[];
}

/** Words a command takes as its argument, where they are a closed set. */
async function fixedWords(name: string): Promise<string[]> {
  if (name === 'completion') return ['bash', 'zsh'];
  if (name === 'secrets show') return Object.keys((await import('./secrets-show.js')).SHOWABLE);
  return [];
}

/**
 * The parts of a help text that declare flags: the usage lines (the first paragraph) and the
 * flag table (lines starting with --). Prose may name other commands' flags; those are not these.
 */
function flagText(help: string): string {
  const lines = help.split('\n');
  const usage = lines.slice(0, Math.max(1, lines.indexOf('')));
  const usages = lines.filter((l) => /^\s*Usage: /.test(l));
  return [...usage, ...usages, ...lines.filter((l) => /^\s+--[a-z]/.test(l))].join('\n');
}

async function specs(): Promise<Spec[]> {
  return Promise.all(
    COMMANDS.map(async (entry) => {
      const command = await entry.load();
      const flags = [...new Set([...flagText(command.help).matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))].sort();
      return { name: entry.name, flags: [...flags, '--help'].filter((f, i, a) => a.indexOf(f) === i), words: await fixedWords(entry.name) };
    }),
  );
}

function topWords(): string[] {
  return [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))];
}

const key = (name: string) => name.replace(/[^a-z0-9]/g, '_');

function bash(all: Spec[]): string {
  const groupCases = groups().map((g) => `    ${g}) subs="${COMMANDS.filter((c) => c.name.startsWith(`${g} `)).map((c) => c.name.slice(g.length + 1)).join(' ')}" ;;`);
  const cases = all.map((s) => `    "${s.name}") flags="${s.flags.join(' ')}"; words="${s.words.join(' ')}" ;;`);
  return `# bash completion for builder, generated from its command table by \`builder completion bash\`.
# Load it with: source <(builder completion bash)   (or save it in ~/.local/share/bash-completion/completions/builder)
_builder() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" first="\${COMP_WORDS[1]}" subs="" flags="" words="" cmd
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${topWords().join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$first" in
${groupCases.join('\n')}
  esac
  if [ -n "$subs" ]; then
    if [ "$COMP_CWORD" -eq 2 ]; then
      COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
      return
    fi
    cmd="$first \${COMP_WORDS[2]}"
  else
    cmd="$first"
  fi
  case "$cmd" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ -n "$words" ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -o default -F _builder builder
`;
}

function zsh(all: Spec[]): string {
  const groupLines = groups().map((g) => `  _builder_subs[${g}]="${COMMANDS.filter((c) => c.name.startsWith(`${g} `)).map((c) => c.name.slice(g.length + 1)).join(' ')}"`);
  const specLines = all.flatMap((s) => [`  _builder_flags[${key(s.name)}]="${s.flags.join(' ')}"`, ...(s.words.length > 0 ? [`  _builder_words[${key(s.name)}]="${s.words.join(' ')}"`] : [])]);
  return `#compdef builder
# zsh completion for builder, generated from its command table by \`builder completion zsh\`.
# Load it with: source <(builder completion zsh)   (after compinit), or save it as _builder in $fpath.
typeset -gA _builder_subs _builder_flags _builder_words
${groupLines.join('\n')}
${specLines.join('\n')}
_builder() {
  local -a cands
  local first="\${words[2]}" cmd
  if (( CURRENT == 2 )); then
    cands=(${topWords().join(' ')} --help --version)
  elif [[ -n "\${_builder_subs[$first]}" ]] && (( CURRENT == 3 )); then
    cands=(\${=_builder_subs[$first]} --help)
  else
    if [[ -n "\${_builder_subs[$first]}" ]]; then cmd="\${first}_\${words[3]}"; else cmd="$first"; fi
    cmd="\${cmd//-/_}"
    if [[ "$PREFIX" == -* ]]; then
      cands=(\${=_builder_flags[$cmd]})
    elif [[ -n "\${_builder_words[$cmd]}" ]]; then
      cands=(\${=_builder_words[$cmd]})
    else
      _files
      return
    fi
  fi
  compadd -- "\${cands[@]}"
}
compdef _builder builder
`;
}

export const completionCommand: Command = {
  name: 'completion',
  help: `Usage: builder completion bash|zsh

Prints a completion script for the shell, generated from the command table and each command's
flags (so a new command completes as soon as it is in the table): commands, group commands
(\`builder images <Tab>\`), flags after \`-\`, fixed words (\`secrets show\` names), files otherwise.

  bash: source <(builder completion bash)    zsh: source <(builder completion zsh)   (after compinit)

Exit codes: 0 printed, 2 usage error (no shell, or one other than bash and zsh).`,
  async run(argv, io) {
    const { positionals } = parseFlags('completion', argv, {}, true);
    const shell = positionals[0];
    if (positionals.length !== 1 || (shell !== 'bash' && shell !== 'zsh')) throw new UsageError('ERR_USAGE_ARGUMENTS', `give the shell: bash or zsh${shell ? ` (got "${positionals.join(' ')}")` : ''}`, '`builder completion bash` or `builder completion zsh`');
    const all = await specs();
    io.out(shell === 'bash' ? bash(all) : zsh(all));
    return EXIT.ok;
  },
};
