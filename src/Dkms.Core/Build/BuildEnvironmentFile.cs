using System.Text;
using Dkms.Core.Processes;

namespace Dkms.Core.Build;

/// <summary>
/// dkms 3.4's framework.conf <c>build_environment</c>: a file sourced in a subshell (with <c>$kernelver</c> set)
/// whose exported variables the build gets. dkmsd sources it in a clean bash, as root (it is the administrator's
/// file, like framework.conf), and passes on the variables it exports or changes.
/// </summary>
internal static class BuildEnvironmentFile
{
    /// <summary>How long sourcing the file may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Each exported variable as "name=base64(value)", so that any value (newlines included) comes back intact.
    private const string Script = """
        kernelver="$2"
        source "$1" >/dev/null 2>&1
        while IFS= read -r -d '' kv; do
            printf '%s=%s\n' "${kv%%=*}" "$(printf '%s' "${kv#*=}" | base64 -w0)"
        done < <(env -0)
        """;

    private static readonly Dictionary<string, string> Clean = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    };

    /// <summary>The variables the file exports (those of the clean environment only when it changes them); none when it does not exist.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(IProcessRunner processes, string? path, string kernel, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return result; // dkms says nothing either
        }

        var run = await processes.RunAsync(new ProcessSpec("bash", ["--noprofile", "--norc", "-c", Script, "dkms-build-environment", path, kernel])
        {
            Environment = Clean,
            Timeout = Timeout,
        }, ct).ConfigureAwait(false);
        foreach (var line in run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = line[..eq];
            string value;
            try
            {
                value = Encoding.UTF8.GetString(Convert.FromBase64String(line[(eq + 1)..]));
            }
            catch (FormatException)
            {
                continue;
            }

            // bash's own (PWD, SHLVL, _) and the unchanged clean environment are not the file's.
            if (name is "PWD" or "OLDPWD" or "SHLVL" or "_" || (Clean.TryGetValue(name, out var before) && before == value))
            {
                continue;
            }

            result[name] = value;
        }

        return result;
    }
}
