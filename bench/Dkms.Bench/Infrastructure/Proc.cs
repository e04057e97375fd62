using System.Diagnostics;

namespace Dkms.Bench.Infrastructure;

/// <summary>The outcome of one finished process and how long it took, start to reaped.</summary>
internal sealed record ProcResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public ProcResult Checked(string what) => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"{what} failed (exit {ExitCode}):\n{Stdout}\n{Stderr}");
}

/// <summary>Runs programs to completion, timed from just before the fork to just after the exit.</summary>
internal static class Proc
{
    public static async Task<ProcResult> RunAsync(string program, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? workingDir = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "JOURNAL_STREAM" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in time.");
        }

        sw.Stop();
        return new ProcResult(process.ExitCode, await stdout, await stderr, sw.Elapsed);
    }

    public static Task<ProcResult> ShAsync(string script, TimeSpan? timeout = null) => RunAsync("bash", ["-c", script], timeout: timeout);
}
