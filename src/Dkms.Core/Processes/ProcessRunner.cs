using System.Diagnostics;
using System.Text;
using Dkms.Core.Platform;

namespace Dkms.Core.Processes;

/// <summary>
/// Runs a child in a new session through <c>setsid</c>, so a time-out or a cancellation stops the
/// whole process group it started (make and every compiler under it), not just its first process.
/// </summary>
public sealed class ProcessRunner : IProcessRunner
{
    /// <summary>How long a group gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(3);

    private ProcessRunner()
    {
    }

    /// <summary>The real one: every host uses it unless a test passes another.</summary>
    public static ProcessRunner Default { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = spec.OutputFile is null,
            RedirectStandardError = spec.OutputFile is null,
            WorkingDirectory = spec.WorkingDirectory ?? string.Empty,
        };

        if (spec.OutputFile is not null)
        {
            // The child appends to the log itself: output survives even if this process dies.
            psi.ArgumentList.Add("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec >>\"$0\" 2>&1 </dev/null; exec \"$@\"");
            psi.ArgumentList.Add(spec.OutputFile);
        }
        else if (spec.MergeStderr)
        {
            // One descriptor for both streams, as the log above and as dkms's terminal: the order survives.
            psi.ArgumentList.Add("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec 2>&1; exec \"$@\"");
            psi.ArgumentList.Add("dkms-merged");
        }

        psi.ArgumentList.Add(spec.FileName);
        foreach (var a in spec.Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        if (spec.Environment is not null)
        {
            psi.Environment.Clear();
            foreach (var (k, v) in spec.Environment)
            {
                psi.Environment[k] = v;
            }
        }

        if (spec.ExtraEnvironment is not null)
        {
            foreach (var (k, v) in spec.ExtraEnvironment)
            {
                psi.Environment[k] = v;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        spec.OnStarted?.Invoke(process.Id);
        if (spec.OutputFile is null)
        {
            process.OutputDataReceived += (_, e) => Collect(e.Data, stdout, spec.OnStdout);
            process.ErrorDataReceived += (_, e) => Collect(e.Data, stderr, spec.OnStderr);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        var timedOut = false;
        using var timeout = spec.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            await StopGroupAsync(process).ConfigureAwait(false);
            if (!timedOut)
            {
                throw;
            }
        }

        clock.Stop();
        return new ProcessResult(process.ExitCode, timedOut, clock.Elapsed, stdout.ToString(), stderr.ToString());
    }

    private static void Collect(string? line, StringBuilder into, Action<string>? callback)
    {
        if (line is null)
        {
            return;
        }

        lock (into)
        {
            into.Append(line).Append('\n');
        }

        callback?.Invoke(line);
    }

    private static async Task StopGroupAsync(Process process)
    {
        // setsid made the child a session and group leader: its pid is the group id.
        _ = Libc.kill(-process.Id, Libc.SigTerm);
        using var grace = new CancellationTokenSource(KillGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _ = Libc.kill(-process.Id, Libc.SigKill);
        using var final = new CancellationTokenSource(KillGrace);
        try
        {
            await process.WaitForExitAsync(final.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A child that survives SIGKILL of its group is stuck in the kernel; nothing more to do.
        }
    }
}
