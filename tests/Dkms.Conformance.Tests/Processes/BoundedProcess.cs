using System.Diagnostics;
using System.Globalization;

namespace Dkms.Conformance.Tests.Processes;

/// <summary>
/// Runs a child process with stdin closed, both streams captured, and a hard time limit: a build that
/// hangs is killed with its whole process tree instead of hanging the test run.
/// </summary>
internal static class BoundedProcess
{
    // After a kill, how long to wait for the streams to close before giving up on them.
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(30);

    public static async Task<ProcessOutcome> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        // Messages from make, gcc and dkms in one predictable language.
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["DKMSCTL_OFFLINE"] = "1"; // dkmsctl runs in-process on the test's trees, never through a dkmsd
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        var timedOut = false;
        using (var limit = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                using var drain = new CancellationTokenSource(DrainAfterKill);
                await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            }
        }

        stopwatch.Stop();
        var streams = Task.WhenAll(stdout, stderr);
        string outText, errText;
        try
        {
            await streams.WaitAsync(DrainAfterKill).ConfigureAwait(false);
            outText = stdout.Result;
            errText = stderr.Result;
        }
        catch (TimeoutException)
        {
            // A grandchild that escaped the kill still holds the pipes: report what we can.
            outText = stdout.IsCompletedSuccessfully ? stdout.Result : string.Empty;
            errText = stderr.IsCompletedSuccessfully ? stderr.Result : "(stderr still open: a descendant outlived the kill)";
        }

        if (timedOut)
        {
            errText += "\n[killed after " + timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s]";
        }

        return new ProcessOutcome(timedOut ? ProcessOutcome.KilledExitCode : process.ExitCode, outText, errText, stopwatch.Elapsed, timedOut);
    }

    /// <summary>Runs the process and throws with its output when it does not exit 0.</summary>
    public static async Task<ProcessOutcome> RunCheckedAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        var outcome = await RunAsync(fileName, args, timeout, workingDirectory).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', args)}' failed with exit {outcome.ExitCode}.\n{outcome.Tail()}");
        }

        return outcome;
    }
}
