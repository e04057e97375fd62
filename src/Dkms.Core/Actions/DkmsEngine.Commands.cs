using System.Globalization;
using Dkms.Core.Errors;
using Dkms.Core.Processes;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private const string LogRule = "----------------------------------------------------------------";

    /// <summary>
    /// dkms's <c>invoke_command</c>: prints "description...", runs <paramref name="command"/> through bash
    /// with its output appended to <paramref name="log"/> in dkms's block format, then " done." or the failure.
    /// </summary>
    /// <param name="guarded">Record the running group in the working directory (a build dir), see <see cref="OrphanGuard"/>.</param>
    internal async Task<ProcessResult> InvokeLoggedAsync(string description, string command, string workingDirectory,
        string log, IReadOnlyDictionary<string, string>? environment, CancellationToken ct, bool guarded = true)
    {
        if (_out.Verbose)
        {
            _out.Line(command);
        }
        else
        {
            _out.Text(description + "...");
        }

        await File.AppendAllTextAsync(log, $"\n{description}\n# command: {command}\n", ct).ConfigureAwait(false);
        var result = await ProcessRunner.RunAsync(new ProcessSpec("bash", ["-c", command])
        {
            WorkingDirectory = workingDirectory,
            OutputFile = log,
            Timeout = Settings.BuildTimeout,
            ExtraEnvironment = environment,
            OnStarted = guarded ? pid => OrphanGuard.Record(workingDirectory, pid) : null,
        }, ct).ConfigureAwait(false);
        if (guarded)
        {
            OrphanGuard.Clear(workingDirectory);
        }

        var code = result.TimedOut ? 124 : result.ExitCode;
        var elapsed = result.Elapsed;
        var footer = string.Create(CultureInfo.InvariantCulture,
            $"\n# exit code: {code}\n# elapsed time: {(int)elapsed.TotalHours:00}:{elapsed.Minutes:00}:{elapsed.Seconds:00}\n{LogRule}\n");
        if (result.TimedOut)
        {
            footer = $"\n# stopped: the command ran longer than build_timeout ({Settings.BuildTimeout.TotalSeconds:0} s)" + footer;
        }

        await File.AppendAllTextAsync(log, footer, ct).ConfigureAwait(false);
        if (result.Succeeded)
        {
            _out.Line(_out.Verbose ? string.Empty : " done.");
        }
        else if (result.TimedOut)
        {
            _out.Line($"(timed out after {Settings.BuildTimeout.TotalSeconds:0} s)");
        }
        else
        {
            _out.Line($"(bad exit status: {code})");
            if (!_out.Verbose)
            {
                _out.Line("Failed command:");
                _out.Line(command);
            }
        }

        return result with { ExitCode = code };
    }

    /// <summary>
    /// Resolves a hook directive ("script args…") to the script inside <paramref name="directory"/>, or
    /// throws when it would lead outside it.
    /// </summary>
    internal static (string Script, string[] Args) HookCommand(string directive, string value, string directory)
    {
        var words = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, 8, $"{directive} is set but names no script.");
        }

        var script = PathGuard.Inside(directory, words[0], directive);
        return (script, words[1..]);
    }

    /// <summary>PRE_BUILD / POST_BUILD: run in the build dir, logged; a failure ends the action with its status.</summary>
    internal async Task RunLoggedHookAsync(string type, string directive, string? value, string directory, string log, CancellationToken ct)
    {
        if (value is null)
        {
            return;
        }

        var (script, args) = HookCommand(directive, value, directory);
        if (!IsExecutable(script))
        {
            _out.Line();
            _out.Warn($"The {type} script is not executable.");
            return;
        }

        var command = string.Join(' ', new[] { script }.Concat(args).Select(Bash.BashEvaluator.Quote));
        var result = await InvokeLoggedAsync($"Running the {type} script", command, directory, log, null, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, result.ExitCode == 0 ? 1 : result.ExitCode,
                $"The {type} script failed.", $"Consult {log} for more information.");
        }
    }

    /// <summary>POST_ADD, PRE_INSTALL, POST_INSTALL, POST_REMOVE: run in the source dir, output to the terminal.</summary>
    /// <remarks>
    /// The script's stdout and stderr share one pipe, so its lines come out in the order it wrote them (as on
    /// dkms's terminal); all of them are printed on stdout.
    /// </remarks>
    /// <returns>The script's exit status (0 when it is absent or not executable).</returns>
    internal async Task<int> RunHookAsync(string type, string directive, string? value, string directory, CancellationToken ct)
    {
        if (value is null)
        {
            return 0;
        }

        var (script, args) = HookCommand(directive, value, directory);
        if (!IsExecutable(script))
        {
            _out.Line();
            _out.Warn($"The {type} script is not executable.");
            return 0;
        }

        _out.Line($"Running the {type} script:");
        var result = await ProcessRunner.RunAsync(new ProcessSpec(script, args)
        {
            WorkingDirectory = directory,
            Timeout = Settings.BuildTimeout,
            MergeStderr = true,
            OnStdout = l => _out.Line(l),
        }, ct).ConfigureAwait(false);
        return result.TimedOut ? 124 : result.ExitCode;
    }

    internal static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>Runs a tool and throws an external-failure exception with its output when it fails.</summary>
    internal static async Task RunToolAsync(string tool, IReadOnlyList<string> args, string what, int exitCode, CancellationToken ct, string? cwd = null)
    {
        var result = await ProcessRunner.RunAsync(new ProcessSpec(tool, args)
        {
            WorkingDirectory = cwd,
            Timeout = TimeSpan.FromMinutes(10),
        }, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var detail = (result.Stderr + result.Stdout).Trim();
            throw new DkmsException(DkmsErrorKind.ExternalFailure, exitCode,
                detail.Length > 0 ? $"{what}: {detail.Split('\n')[0]}" : $"{what} (exit status {result.ExitCode}).");
        }
    }
}
