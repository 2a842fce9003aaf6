import { Argument, type Command } from 'commander';

interface CommandWords {
  name: string;
  options: string[];
}

/** The words to complete: each subcommand and its long and short options. Pure. */
export function commandWords(program: Command): CommandWords[] {
  return program.commands.map((c) => ({
    name: c.name(),
    options: c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
  }));
}

/** A bash completion script for `ferry` (source it, or put it in bash-completion's directory). Pure. */
export function bashCompletion(words: readonly CommandWords[]): string {
  const cases = words.map((w) => `    ${w.name}) opts="${w.options.join(' ')}" ;;`).join('\n');
  return `# ferry completion for bash: source <(ferry completion bash)
_ferry() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words.map((w) => w.name).join(' ')} --version --help" -- "$cur"))
    return
  fi
  local opts=""
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
}
complete -o default -F _ferry ferry
`;
}

/** A zsh completion script for `ferry` (source it, or save it as _ferry on $fpath). Pure. */
export function zshCompletion(words: readonly CommandWords[]): string {
  const cases = words
    .map((w) => `    ${w.name}) compadd -- ${[...w.options, '--help'].join(' ')} ;;`)
    .join('\n');
  return `#compdef ferry
# ferry completion for zsh: source <(ferry completion zsh)
_ferry() {
  if (( CURRENT == 2 )); then
    compadd -- ${words.map((w) => w.name).join(' ')} --version --help
    return
  fi
  case "$words[2]" in
${cases}
  esac
  _files
}
if [[ "$funcstack[1]" = "_ferry" ]]; then _ferry "$@"; else compdef _ferry ferry; fi
`;
}

export function registerCompletion(program: Command, write: (s: string) => void): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(ferry completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      const words = commandWords(program);
      write(shell === 'bash' ? bashCompletion(words) : zshCompletion(words));
    });
}
