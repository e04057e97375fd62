using System.Diagnostics;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>Runs a system tool (modinfo, openssl, xz, …) and returns its stdout; throws on failure.</summary>
internal static class Tools
{
    public static async Task<string> RunAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return p.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: {await stderr}");
    }
}
