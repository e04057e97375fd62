using System.Diagnostics;

namespace Dkms.Bench.Tests;

/// <summary>
/// The benchmark harness end to end in smoke mode (tiny trees, two example-module builds), writing into a
/// temporary directory: it must finish and produce RESULTS.md with every section and both plots. No figure is
/// asserted (STYLE.md: performance is measured in bench/, never asserted).
/// </summary>
public sealed class BenchSmokeTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("dkms-bench-test-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task SmokeRun_WritesResultsWithEverySection()
    {
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<config>/net10.0/
        var root = RepositoryRoot();
        string Built(string project, string name) => Path.Combine(root, project, "bin", config, "net10.0", name);
        var aot = Path.Combine(root, "artifacts", "aot");
        var useAot = File.Exists(Path.Combine(aot, "dkmsd")) && File.Exists(Path.Combine(aot, "dkmsctl"));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var a in new[]
        {
            Built("bench/Dkms.Bench", "dkms-bench.dll"), "--smoke", "--out", _out, "--repo", root,
            "--dkmsd", useAot ? Path.Combine(aot, "dkmsd") : Built("src/Dkms.Daemon", "dkmsd"),
            "--dkmsctl", useAot ? Path.Combine(aot, "dkmsctl") : Built("src/Dkms.Cli", "dkmsctl"),
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the smoke run took more than 5 minutes:\n" + await stdout);
        }

        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{await stdout}\n{await stderr}");
        var results = File.ReadAllText(Path.Combine(_out, "RESULTS.md"));
        foreach (var section in new[] { "## Machine", "## Headline", "## 1. status", "## 2. autoinstall", "## 3. the daemon", "## 4. RPC" })
        {
            Assert.Contains(section, results, StringComparison.Ordinal);
        }

        Assert.True(new FileInfo(Path.Combine(_out, "status-vs-size.png")).Length > 0);
        Assert.True(new FileInfo(Path.Combine(_out, "autoinstall-timeline.png")).Length > 0);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DkmsDaemon.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DkmsDaemon.sln not found above the test binaries.");
    }
}
