using System.Globalization;
using Dkms.Core.Actions;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Output;

namespace Dkms.Core.Processes;

/// <summary>
/// The commands of an action as dkms runs them (its <c>invoke_command</c>): "description...", dots while a background
/// step runs, its output to make.log or nowhere, then how it ended. Also the helper tools (cp, tar, strip) whose
/// failure ends the action.
/// </summary>
internal sealed class BuildLog(DkmsSettings settings, DkmsOutput output, IProcessRunner processes)
{
    /// <summary>How often a background step prints a progress dot (dkms's <c>sleep 3</c>).</summary>
    private static readonly TimeSpan DotInterval = TimeSpan.FromSeconds(3);

    private DkmsMessages M => output.Messages;

    /// <summary>
    /// dkms's <c>invoke_command</c>: prints "description..." (the command itself with <c>--verbose</c>), runs the
    /// command through bash, then prints how it ended and a newline. A background step prints a dot every few
    /// seconds while it runs; its output goes to <see cref="Step.OutputFile"/>, or nowhere. A foreground step
    /// writes to the terminal.
    /// </summary>
    public async Task<ProcessResult> RunStepAsync(Step step, CancellationToken ct)
    {
        var verbose = output.Verbose;
        if (verbose)
        {
            output.Line(step.VerboseText ?? step.Command);
        }
        else
        {
            output.Text(M.StepStarted(step.Description));
        }

        // The terminal gets the output of a foreground step, and of every step with --verbose (dkms runs it in
        // the foreground then); a file given to the step is where the command itself sends its output.
        var toTerminal = step.OutputFile is null && (verbose || !step.Background);
        using var dots = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var dotting = step.Background && !verbose && M.ProgressDots ? PrintDotsAsync(dots.Token) : Task.CompletedTask;
        if (step.OutputFile is not null && M.LogStepHeader(step.Description, step.Command) is { } header)
        {
            await File.AppendAllTextAsync(step.OutputFile, header, ct).ConfigureAwait(false);
        }

        ProcessResult result;
        try
        {
            // Anything after the command is bash's $0, $1…, unused by it: there for the sandbox to see (Step.Uses).
            string[] args = step.Uses.Count == 0 ? ["-c", step.Command] : ["-c", step.Command, "bash", .. step.Uses];
            result = await processes.RunAsync(new ProcessSpec("bash", args)
            {
                WorkingDirectory = step.WorkingDirectory,
                OutputFile = step.OutputFile ?? (toTerminal ? null : "/dev/null"),
                MergeStderr = toTerminal,
                OnStdout = toTerminal ? l => output.Line(l) : null,
                Timeout = settings.BuildTimeout,
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

        var code = result.TimedOut ? DkmsExitCode.TimedOut : result.ExitCode;
        if (result.TimedOut && step.OutputFile is not null)
        {
            await File.AppendAllTextAsync(step.OutputFile,
                $"\n# stopped: the command ran longer than build_timeout ({settings.BuildTimeout.TotalSeconds:0} s)\n", ct).ConfigureAwait(false);
        }

        if (step.OutputFile is not null && M.LogStepFooter(code, result.Elapsed) is { } footer)
        {
            await File.AppendAllTextAsync(step.OutputFile, footer, ct).ConfigureAwait(false);
        }

        output.Line(result.TimedOut ? M.StepTimedOut(settings.BuildTimeout)
            : M.StepEnded(code) + (code > 0 && !verbose ? M.StepFailedCommand(step.Command) : string.Empty));
        return result with { ExitCode = code };
    }

    /// <summary>Runs a tool and throws an external-failure exception with its output when it fails.</summary>
    public async Task RunToolAsync(string tool, IReadOnlyList<string> args, string what, int exitCode, CancellationToken ct, string? cwd = null)
    {
        var result = await processes.RunAsync(new ProcessSpec(tool, args)
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

    /// <summary>The date line of make.log, as date(1) prints it.</summary>
    public async Task<string> DateLineAsync(CancellationToken ct)
    {
        var result = await processes.RunAsync(new ProcessSpec("date", [])
        {
            ExtraEnvironment = new Dictionary<string, string>(StringComparer.Ordinal) { ["LC_ALL"] = "C" },
            Timeout = TimeSpan.FromSeconds(10),
        }, ct).ConfigureAwait(false);
        return result.Succeeded
            ? result.Stdout.TrimEnd('\n')
            : DateTime.Now.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
    }

    private async Task PrintDotsAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(DotInterval, ct).ConfigureAwait(false);
                output.Text(".");
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
    }
}
