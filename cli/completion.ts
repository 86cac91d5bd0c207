// Shell completion scripts for bash and zsh, generated from the command tree itself, so
// they never drift from the commands: subcommands, then the options of the command typed.
import type { Command } from 'commander';

interface Node {
  path: string[];
  words: string[];
}

function walk(command: Command, path: string[], nodes: Node[]): void {
  const subcommands = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = command.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x));
  nodes.push({ path, words: [...subcommands.map((c) => c.name()), ...options, '--help'] });
  for (const sub of subcommands) walk(sub, [...path, sub.name()], nodes);
}

function tree(program: Command): Node[] {
  const nodes: Node[] = [];
  walk(program, [], nodes);
  return nodes;
}

const quote = (words: string[]) => words.join(' ');

export function bashCompletion(program: Command): string {
  const name = program.name();
  const globals = program.options.flatMap((o) => [o.long].filter((x): x is string => !!x));
  const cases = tree(program)
    .sort((a, b) => b.path.length - a.path.length)
    .map((node) => `    "${node.path.join(' ')}") words="${quote([...node.words, ...(node.path.length ? globals : [])])}" ;;`)
    .join('\n');
  return `# bash completion for ${name}; install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
#   (or: source <(${name} completion bash) in ~/.bashrc)
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmdpath="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == "--" ]] && { COMPREPLY=($(compgen -c -- "$cur")); return; }
    [[ "$word" == -* ]] && continue
    case "\${cmdpath:+$cmdpath }$word" in
${tree(program)
  .filter((n) => n.path.length > 0)
  .map((n) => `      "${n.path.join(' ')}") cmdpath="${n.path.join(' ')}" ;;`)
  .join('\n')}
    esac
  done
  case "$prev" in
    --data-dir|--out|--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -c|--connection) COMPREPLY=($(compgen -W "$(${name} connections list --names 2>/dev/null)" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "shell dotenv" -- "$cur")); return ;;
    --status) COMPREPLY=($(compgen -W "pending running succeeded failed cancelled" -- "$cur")); return ;;
  esac
  if [[ "$cmdpath" == "connections use" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "$(${name} connections list --names 2>/dev/null)" -- "$cur")); return
  fi
  local words=""
  case "$cmdpath" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _${name}_complete ${name}
`;
}

export function zshCompletion(program: Command): string {
  const name = program.name();
  const globals = program.options.flatMap((o) => [o.long].filter((x): x is string => !!x));
  const nodes = tree(program);
  return `#compdef ${name}
# zsh completion for ${name}; install: ${name} completion zsh > "\${fpath[1]}/_${name}"
#   (or: source <(${name} completion zsh) in ~/.zshrc, after compinit)
_${name}() {
  local cmdpath="" word i
  local -a candidates
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    if [[ "$word" == "--" ]]; then _command_names; return; fi
    [[ "$word" == -* ]] && continue
    case "\${cmdpath:+$cmdpath }$word" in
${nodes
  .filter((n) => n.path.length > 0)
  .map((n) => `      "${n.path.join(' ')}") cmdpath="${n.path.join(' ')}" ;;`)
  .join('\n')}
    esac
  done
  case "\${words[CURRENT-1]}" in
    --data-dir|--out|--key) _files; return ;;
    -c|--connection) compadd -- \${(f)"$(${name} connections list --names 2>/dev/null)"}; return ;;
    --format) compadd -- shell dotenv; return ;;
    --status) compadd -- pending running succeeded failed cancelled; return ;;
  esac
  if [[ "$cmdpath" == "connections use" && "\${words[CURRENT]}" != -* ]]; then
    compadd -- \${(f)"$(${name} connections list --names 2>/dev/null)"}; return
  fi
  case "$cmdpath" in
${[...nodes]
  .sort((a, b) => b.path.length - a.path.length)
  .map((node) => `    "${node.path.join(' ')}") candidates=(${quote([...node.words, ...(node.path.length ? globals : [])])}) ;;`)
  .join('\n')}
  esac
  compadd -- "\${candidates[@]}"
}
if [[ "$funcstack[1]" == "_${name}" ]]; then _${name} "$@"; else compdef _${name} ${name}; fi
`;
}
