using System.Diagnostics;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// Runs a program on the host with stdin closed, both streams captured and a hard time limit: a command that
/// hangs is killed with its whole process tree (which includes what it started inside a container) and the
/// test fails with a <see cref="TimeoutException"/> instead of hanging the run.
/// </summary>
internal static class HostProcess
{
    // After a kill, how long to wait for the streams to close before giving up on them.
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(20);

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                var partial = await Task.WhenAll(stdout, stderr).WaitAsync(DrainAfterKill).ConfigureAwait(false);
                throw new TimeoutException(
                    $"'{fileName} {string.Join(' ', psi.ArgumentList)}' did not finish in {timeout.TotalSeconds} s; killed.\n"
                    + new ProcessResult(-1, partial[0], partial[1], stopwatch.Elapsed).Tail());
            }
        }

        stopwatch.Stop();
        var streams = await Task.WhenAll(stdout, stderr).WaitAsync(DrainAfterKill).ConfigureAwait(false);
        return new ProcessResult(process.ExitCode, streams[0], streams[1], stopwatch.Elapsed);
    }

    /// <summary>Runs the program and throws with its output when it does not exit 0.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = arguments.ToList();
        var result = await RunAsync(fileName, args, timeout, environment).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', args)}' failed: {result}");
        }

        return result;
    }
}
