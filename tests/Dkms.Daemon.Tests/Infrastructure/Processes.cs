using System.Diagnostics;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>Runs a program to completion, bounded by a timeout.</summary>
internal static class Processes
{
    /// <summary>A binary built next to the tests (dkmsd, dkmsctl, dkmsd-testclient).</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in time.");
        }

        return new ProcessResult(process.ExitCode, await stdout.WithTimeout(), await stderr.WithTimeout());
    }

    /// <summary>Sends SIGTERM, as systemd does to stop a service.</summary>
    public static Task<ProcessResult> TerminateAsync(int pid) => RunAsync("/bin/kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
}
