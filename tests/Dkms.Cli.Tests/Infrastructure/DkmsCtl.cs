using System.Diagnostics;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>Runs the real dkmsctl binary as a process.</summary>
internal static class DkmsCtl
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

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
