using Dkms.Core.Errors;
using Dkms.Core.Processes;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>How often a background step prints a progress dot (dkms's <c>sleep 3</c>).</summary>
    private static readonly TimeSpan DotInterval = TimeSpan.FromSeconds(3);

    /// <summary>
    /// dkms's <c>invoke_command</c>: prints "description..." (the command itself with <c>--verbose</c>), runs the
    /// command through bash, then prints how it ended and a newline. A background step prints a dot every few
    /// seconds while it runs; its output goes to <see cref="Step.OutputFile"/>, or nowhere. A foreground step
    /// writes to the terminal.
    /// </summary>
    internal async Task<ProcessResult> RunStepAsync(Step step, CancellationToken ct)
    {
        var verbose = _out.Verbose;
        if (verbose)
        {
            _out.Line(step.VerboseText ?? step.Command);
        }
        else
        {
            _out.Text(M.StepStarted(step.Description));
        }

        // The terminal gets the output of a foreground step, and of every step with --verbose (dkms runs it in
        // the foreground then); a file given to the step is where the command itself sends its output.
        var toTerminal = step.OutputFile is null && (verbose || !step.Background);
        using var dots = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var dotting = step.Background && !verbose && M.ProgressDots ? PrintDotsAsync(dots.Token) : Task.CompletedTask;
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync(new ProcessSpec("bash", ["-c", step.Command])
            {
                WorkingDirectory = step.WorkingDirectory,
                OutputFile = step.OutputFile ?? (toTerminal ? null : "/dev/null"),
                MergeStderr = toTerminal,
                OnStdout = toTerminal ? l => _out.Line(l) : null,
                Timeout = Settings.BuildTimeout,
                ExtraEnvironment = step.Environment,
                OnStarted = step.Guarded ? pid => OrphanGuard.Record(step.WorkingDirectory, pid) : null,
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            await dots.CancelAsync().ConfigureAwait(false);
            await dotting.ConfigureAwait(false);
            if (step.Guarded)
            {
                OrphanGuard.Clear(step.WorkingDirectory);
            }
        }

        var code = result.TimedOut ? 124 : result.ExitCode;
        if (result.TimedOut && step.OutputFile is not null)
        {
            await File.AppendAllTextAsync(step.OutputFile,
                $"\n# stopped: the command ran longer than build_timeout ({Settings.BuildTimeout.TotalSeconds:0} s)\n", ct).ConfigureAwait(false);
        }

        _out.Line(result.TimedOut ? M.StepTimedOut(Settings.BuildTimeout) : M.StepEnded(code));
        return result with { ExitCode = code };
    }

    private async Task PrintDotsAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(DotInterval, ct).ConfigureAwait(false);
                _out.Text(".");
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
    }

    /// <summary>
    /// Resolves a hook directive ("script args…") to the script inside <paramref name="directory"/>, or
    /// throws when it would lead outside it.
    /// </summary>
    internal (string Script, string[] Args) HookCommand(string directive, string value, string directory)
    {
        var words = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, 8, M.ScriptNamesNothing(directive));
        }

        var script = PathGuard.Inside(directory, words[0], directive);
        return (script, words[1..]);
    }

    /// <summary>PRE_BUILD / POST_BUILD: run in the build dir as the other scripts are; a failure ends the build with its status.</summary>
    /// <remarks>dkms carries on after a failed build script; dkmsd does not build on after a step that failed.</remarks>
    internal async Task RunBuildHookAsync(string type, string directive, string? value, string directory, CancellationToken ct)
    {
        var code = await RunHookAsync(type, directive, value, directory, ct, guarded: true).ConfigureAwait(false);
        if (code != 0)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, code, M.ScriptFailed(type));
        }
    }

    /// <summary>POST_ADD, PRE_/POST_BUILD, PRE_INSTALL, POST_INSTALL, POST_REMOVE: run in their directory, output to the terminal.</summary>
    /// <remarks>
    /// The script's stdout and stderr share one pipe, so its lines come out in the order it wrote them (as on
    /// dkms's terminal); all of them are printed on stdout.
    /// </remarks>
    /// <param name="guarded">Record the running group in <paramref name="directory"/> (a build dir), see <see cref="OrphanGuard"/>.</param>
    /// <returns>The script's exit status (0 when it is absent or not executable).</returns>
    internal async Task<int> RunHookAsync(string type, string directive, string? value, string directory, CancellationToken ct,
        bool guarded = false)
    {
        if (value is null)
        {
            return 0;
        }

        var (script, args) = HookCommand(directive, value, directory);
        if (!IsExecutable(script))
        {
            M.ScriptNotExecutable(_out, type);
            return 0;
        }

        M.RunningScript(_out, type);
        var result = await ProcessRunner.RunAsync(new ProcessSpec(script, args)
        {
            WorkingDirectory = directory,
            // dkms cd's there first: the script's $PWD (and pwd) is the directory as named, links and all.
            ExtraEnvironment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PWD"] = directory.TrimEnd('/') },
            Timeout = Settings.BuildTimeout,
            MergeStderr = true,
            OnStdout = l => _out.Line(l),
            OnStarted = guarded ? pid => OrphanGuard.Record(directory, pid) : null,
        }, ct).ConfigureAwait(false);
        if (guarded)
        {
            OrphanGuard.Clear(directory);
        }

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
