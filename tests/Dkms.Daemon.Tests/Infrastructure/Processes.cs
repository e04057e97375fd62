using System.Diagnostics;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>Runs a program to completion, bounded by a timeout.</summary>
internal static class Processes
{
    /// <summary>A binary built next to the tests (dkmsd, dkmsd-testclient).</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>
    /// dkmsctl from its own build output: copied next to the tests it would resolve its gRPC client's
    /// dependencies against the daemon's ASP.NET framework, which it does not run on.
    /// </summary>
    public static string DkmsCtl
    {
        get
        {
            var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<config>/net10.0/
            return Path.Combine(RepositoryRoot, "src", "Dkms.Cli", "bin", config, "net10.0", "dkmsctl");
        }
    }

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

    /// <summary>Sends a signal (<c>kill -NAME pid</c>) without waiting.</summary>
    public static void Signal(int pid, string name)
    {
        using var kill = Process.Start("/bin/kill", ["-" + name, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The repository's root (where DkmsDaemon.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DkmsDaemon.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("DkmsDaemon.sln not found above the test binaries.");
        }
    }

    /// <summary>Sends SIGTERM, as systemd does to stop a service.</summary>
    public static Task<ProcessResult> TerminateAsync(int pid) => RunAsync("/bin/kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
}
