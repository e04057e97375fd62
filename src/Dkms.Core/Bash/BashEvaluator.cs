using System.Text;
using Dkms.Core.Errors;
using Dkms.Core.Processes;

namespace Dkms.Core.Bash;

/// <summary>
/// Sources bash files (dkms.conf, framework.conf) in a child bash with a clean environment and a
/// time limit, and reads an allow-list of variables back as NUL-separated name/index/value records.
/// </summary>
/// <remarks>
/// As dkms's <c>safe_source</c>: the files' stdout is discarded and their stderr passed on; functions
/// and other variables do not leak; values still holding <c>$</c> or a back-quote are expanded a second
/// time (dkms re-sources <c>NAME[i]="value"</c>); a trailing CR is stripped (upstream 3.1.5+).
/// The files cannot write on the channel the records use: it is closed while they run.
/// </remarks>
public static class BashEvaluator
{
    /// <summary>The default time a configuration file may take to evaluate.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const string PresetPrefix = "__dkmsv_";
    private const string SafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // $1 = names to read back; the rest are the files. Presets arrive as __dkmsv_NAME variables.
    private const string Driver = """
        exec 3>&1 1>/dev/null </dev/null
        for __v in ${!__dkmsv_@}; do declare -- "${__v#__dkmsv_}=${!__v}"; unset "$__v"; done
        unset __v
        __dkms_names=$1; shift
        for __dkms_f in "$@"; do
          [[ -r $__dkms_f ]] && . "$__dkms_f" 3>&-
        done
        set +euo pipefail 2>/dev/null
        set +o posix
        for __dkms_fn in $(compgen -A function); do unset -f "$__dkms_fn"; done
        for __dkms_n in $__dkms_names; do
          eval "__dkms_idx=(\"\${!$__dkms_n[@]}\")" 2>/dev/null || continue
          for __dkms_i in "${__dkms_idx[@]}"; do
            eval "__dkms_val=\${$__dkms_n[\$__dkms_i]}" 2>/dev/null || continue
            __dkms_val=${__dkms_val%$'\r'}
            case $__dkms_val in
              *'$'*|*'`'*) eval "__dkms_val=\"$__dkms_val\"" 2>/dev/null || true ;;
            esac
            printf '%s\0%s\0%s\0' "$__dkms_n" "$__dkms_i" "$__dkms_val" >&3
          done
        done
        """;

    /// <summary>
    /// Sources <paramref name="files"/> in order (missing ones are skipped) and returns
    /// <paramref name="names"/>. Throws a <see cref="DkmsException"/> when the time limit is reached.
    /// </summary>
    /// <param name="presets">Shell variables defined (not exported) before the first file.</param>
    /// <param name="environment">Exported variables besides PATH (the environment is otherwise empty).</param>
    public static async Task<BashEvaluation> EvaluateAsync(
        IReadOnlyList<string> files,
        IReadOnlyCollection<string> names,
        IReadOnlyDictionary<string, string> presets,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        IProcessRunner? runner = null,
        CancellationToken cancellationToken = default)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = SafePath,
            ["LC_ALL"] = "C",
        };
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                env[k] = v;
            }
        }

        foreach (var (k, v) in presets)
        {
            if (!IsIdentifier(k) || v.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Bad preset variable '{k}'.", nameof(presets));
            }

            env[PresetPrefix + k] = v;
        }

        foreach (var n in names)
        {
            if (!IsIdentifier(n))
            {
                throw new ArgumentException($"Bad variable name '{n}'.", nameof(names));
            }
        }

        var args = new List<string> { "--noprofile", "--norc", "-c", Driver, "dkms-eval", string.Join(' ', names) };
        args.AddRange(files);
        var spec = new ProcessSpec("bash", args) { Environment = env, Timeout = timeout };
        var result = await (runner ?? ProcessRunner.Default).RunAsync(spec, cancellationToken).ConfigureAwait(false);
        if (result.TimedOut)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadConf,
                $"Evaluating {string.Join(", ", files.Where(File.Exists))} did not finish within {timeout.TotalSeconds:0.#} s.",
                "It was stopped; check it for a loop or a command that waits for input.");
        }

        return new BashEvaluation(Parse(result.Stdout), result.Stderr, result.ExitCode);
    }

    private static Dictionary<string, BashValue> Parse(string records)
    {
        var vars = new Dictionary<string, BashValue>(StringComparer.Ordinal);
        var parts = records.Split('\0');
        for (var i = 0; i + 2 < parts.Length; i += 3)
        {
            if (!int.TryParse(parts[i + 1], System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                continue; // associative arrays are not dkms directives
            }

            if (!vars.TryGetValue(parts[i], out var value))
            {
                value = new BashValue();
                vars[parts[i]] = value;
            }

            value.Set(index, parts[i + 2]);
        }

        return vars;
    }

    /// <summary>True for a valid bash variable name.</summary>
    public static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Quotes a string for a bash command line.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (c == '\'')
            {
                sb.Append("'\\''");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('\'').ToString();
    }
}
