using System.Text;
using Dkms.Cli.CommandLine;

namespace Dkms.Cli.Docs;

/// <summary>
/// Bash and zsh completion for <c>dkmsctl</c> and <c>dkms</c>, written from <see cref="Verbs.Verbs"/> and
/// <see cref="Options"/>: verbs, options, module/version from the dkms tree, kernels from the installed tree.
/// </summary>
internal static class CompletionScripts
{
    private const string Header = "# Generated from dkmsctl's verb and option tables by scripts/generate-docs: do not edit.\n";

    public static string Bash()
    {
        var verbs = string.Join(' ', Verbs.Verbs.All.Select(v => v.Name));
        var options = string.Join(' ', Options.All.SelectMany(o => o.Spellings));
        var s = new StringBuilder(Header);
        s.Append("# bash completion for dkmsctl and dkms (dkmsd's drop-in for dkms).\n\n")
            .Append("_dkmsctl_modules()\n{\n")
            .Append("    local tree=${DKMS_TREE:-/var/lib/dkms} d\n")
            .Append("    for d in \"$tree\"/*/*/; do\n")
            .Append("        [[ -d $d && $d != \"$tree\"/*/kernel-* ]] || continue\n")
            .Append("        d=${d%/}; printf '%s\\n' \"${d#\"$tree\"/}\"\n")
            .Append("    done\n}\n\n")
            .Append("_dkmsctl_kernels()\n{\n")
            .Append("    local d\n")
            .Append("    for d in /lib/modules/*/; do [[ -d $d ]] && d=${d%/} && printf '%s\\n' \"${d##*/}\"; done\n}\n\n")
            .Append("_dkmsctl()\n{\n")
            .Append("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i verb=\n")
            .Append("    local verbs=\"").Append(verbs).Append("\"\n")
            .Append("    local options=\"").Append(options).Append("\"\n")
            .Append("    COMPREPLY=()\n")
            .Append("    case $prev in\n");
        foreach (var group in Options.All.Where(o => o.Value is not null).GroupBy(o => o.Completes))
        {
            s.Append("        ").Append(string.Join('|', group.SelectMany(o => o.Spellings))).Append(")\n            ")
                .Append(group.Key switch
                {
                    ValueCompletion.Module => "mapfile -t COMPREPLY < <(compgen -W \"$(_dkmsctl_modules)\" -- \"$cur\")",
                    ValueCompletion.Kernel => "mapfile -t COMPREPLY < <(compgen -W \"$(_dkmsctl_kernels)\" -- \"$cur\")",
                    ValueCompletion.File => "mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")",
                    ValueCompletion.Directory => "mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")",
                    _ => ":",
                })
                .Append("\n            return ;;\n");
        }

        s.Append("    esac\n")
            .Append("    if [[ $cur == -* ]]; then\n")
            .Append("        mapfile -t COMPREPLY < <(compgen -W \"$options\" -- \"$cur\")\n")
            .Append("        return\n")
            .Append("    fi\n")
            .Append("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
            .Append("        [[ \" $verbs \" == *\" ${COMP_WORDS[i]} \"* ]] && verb=${COMP_WORDS[i]}\n")
            .Append("    done\n")
            .Append("    if [[ -z $verb ]]; then\n")
            .Append("        mapfile -t COMPREPLY < <(compgen -W \"$verbs\" -- \"$cur\")\n")
            .Append("    else\n")
            .Append("        mapfile -t COMPREPLY < <(compgen -W \"$(_dkmsctl_modules)\" -- \"$cur\")\n")
            .Append("    fi\n")
            .Append("}\n\n")
            .Append("complete -F _dkmsctl dkmsctl dkms\n");
        return s.ToString();
    }

    public static string Zsh()
    {
        var s = new StringBuilder("#compdef dkmsctl dkms\n").Append(Header);
        s.Append("# zsh completion for dkmsctl and dkms (dkmsd's drop-in for dkms).\n\n")
            .Append("_dkmsctl_verbs() {\n")
            .Append("  local -a verbs\n")
            .Append("  verbs=(\n");
        foreach (var v in Verbs.Verbs.All)
        {
            s.Append("    ").Append(Quote($"{v.Name}:{v.Help.Replace(":", "\\:", StringComparison.Ordinal)}")).Append('\n');
        }

        s.Append("  )\n")
            .Append("  _describe -t verbs 'dkms action' verbs\n")
            .Append("}\n\n")
            .Append("_dkmsctl_modules() {\n")
            .Append("  local tree=${DKMS_TREE:-/var/lib/dkms}\n")
            .Append("  local d\n")
            .Append("  local -a mods\n")
            .Append("  for d in $tree/*/*(N/); do [[ ${d:t} == kernel-* ]] || mods+=(${d#$tree/}); done\n")
            .Append("  _describe -t modules 'module/version' mods\n")
            .Append("}\n\n")
            .Append("_dkmsctl_kernels() {\n")
            .Append("  local -a kernels\n")
            .Append("  kernels=(/lib/modules/*(N/:t))\n")
            .Append("  _describe -t kernels 'kernel' kernels\n")
            .Append("}\n\n")
            .Append("_arguments -s \\\n");
        foreach (var o in Options.All)
        {
            var help = o.Help.Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
            foreach (var spelling in o.Spellings)
            {
                var spec = o.Value is null
                    ? $"{spelling}[{help}]"
                    : $"{spelling}{(spelling.StartsWith("--", StringComparison.Ordinal) ? "=" : string.Empty)}[{help}]:{o.Value.Replace(":", "\\:", StringComparison.Ordinal)}:{Action(o.Completes)}";
                s.Append("  ").Append(Quote(spec)).Append(" \\\n");
            }
        }

        s.Append("  '1:dkms action:_dkmsctl_verbs' \\\n")
            .Append("  '*:module/version:_dkmsctl_modules'\n");
        return s.ToString();
    }

    private static string Action(ValueCompletion completes) => completes switch
    {
        ValueCompletion.Module => "_dkmsctl_modules",
        ValueCompletion.Kernel => "_dkmsctl_kernels",
        ValueCompletion.File => "_files",
        ValueCompletion.Directory => "_files -/",
        _ => " ",
    };

    /// <summary>A single-quoted shell word.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
