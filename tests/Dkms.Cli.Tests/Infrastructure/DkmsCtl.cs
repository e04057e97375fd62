using System.Diagnostics;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>Runs the real dkmsctl binary as a process.</summary>
internal static class DkmsCtl
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Set for every dkmsctl the tests start: in-process on the test's trees, with no "running in-process" line.</summary>
    public const string OfflineVariable = "DKMSCTL_OFFLINE";

    /// <summary>The apphost built next to the tests.</summary>
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "dkmsctl");

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? program = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program ?? Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("parallel_jobs");
        psi.Environment[OfflineVariable] = "1"; // this machine's own dkmsd, if any, is never used; tests that want one say so
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dkmsctl {string.Join(' ', psi.ArgumentList)} did not finish in time.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
