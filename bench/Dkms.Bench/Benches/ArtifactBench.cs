using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>bench/run --artifacts</c> (issue 17): the corpus for one kernel, installed on machine B from machine A's artifacts in
/// a real docker-registry, against building it on machine C (the same, with no registry). One run each of
/// <c>dkmsctl --offline autoinstall -k K</c>; wall time and the CPU of every reaped descendant. Written to RESULTS-artifacts.md.
/// </summary>
internal static class ArtifactBench
{
    public static async Task<int> RunAsync(BenchOptions o, IReadOnlyList<CorpusModule> modules)
    {
        var kernel = KernelHeaders.Kernel;
        var keys = Directory.CreateDirectory(Path.Combine(o.WorkDir, "artifact-keys")).FullName;
        using (var builderKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(Path.Combine(keys, "builder.pem"), builderKey.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(keys, "builder.pub"), builderKey.ExportSubjectPublicKeyInfoPem());
        }

        using var registry = await Dkms.Tests.Shared.RegistryServer.StartAsync(Path.Combine(o.WorkDir, "registry"));
        var conf = $"artifact_registry=\"{registry.Url}\"\nartifact_verify_key=\"{Path.Combine(keys, "builder.pub")}\"\n";
        var a = await TreeAsync(o, "builder-a", modules, conf + $"artifact_role=push\nartifact_signing_key=\"{Path.Combine(keys, "builder.pem")}\"\n");
        var b = await TreeAsync(o, "client-b", modules, conf + "artifact_role=pull\n");
        var c = await TreeAsync(o, "local-c", modules, string.Empty);
        await Proc.ShAsync($"find -L '{KernelHeaders.Dir}' -type f -print0 2>/dev/null | xargs -0 cat > /dev/null 2>&1; true", TimeSpan.FromMinutes(5));

        Console.WriteLine($"  A: builds and pushes {modules.Count} modules...");
        var ra = await AutoinstallAsync(o, a, kernel);
        Console.WriteLine($"  B: installs from A's artifacts...");
        var rb = await AutoinstallAsync(o, b, kernel);
        Console.WriteLine($"  C: builds the same modules itself...");
        var rc = await AutoinstallAsync(o, c, kernel);

        var (bOrigins, bInstalled) = await OriginsAsync(o, b);
        var (_, cInstalled) = await OriginsAsync(o, c);
        var (aOrigins, aInstalled) = await OriginsAsync(o, a);
        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine("# Issue 17: install from the fleet's artifacts vs build").AppendLine();
        text.AppendLine(I($"Kernel {kernel}, {Environment.ProcessorCount} cores, load average before the run: {File.ReadAllText("/proc/loadavg").Trim()}."));
        text.AppendLine(I($"Modules: {modules.Count} ({string.Join(", ", modules.Select(m => m.Ref))}); the corpus of RESULTS.md §2 without librem_ec_acpi, which fails to build on these headers with either tool (a failed build has no artifact)."));
        text.AppendLine(I($"dkmsctl: {o.Dkmsctl}. Layers pushed by A: {LayerBytes(a) / 1024.0:0} KiB in all."));
        text.AppendLine("Each machine is a fresh set of trees with the corpus added (`dkmsctl --offline add`), then one run of "
                        + "`dkmsctl --offline autoinstall -k K`: A with artifact_role=push (builds, signs, pushes to Debian's docker-registry "
                        + "2.8 on 127.0.0.1), B with artifact_role=pull and A's public key (pulls, verifies, signs with its own MOK, installs), "
                        + "C with no registry (builds). CPU is getrusage(RUSAGE_CHILDREN) growth across the run (dkmsctl and every make, "
                        + "compiler, sign-file, xz, depmod under it; the registry is not a child and not counted). One run each.").AppendLine();
        text.AppendLine("| machine | wall | CPU | installed | origins |").AppendLine("|---|---|---|---|---|");
        text.AppendLine(I($"| A: build + push | {ra.Wall:0.00} s | {ra.Cpu:0.00} s | {aInstalled} | {aOrigins} |"));
        text.AppendLine(I($"| B: pull + verify + sign + install | {rb.Wall:0.00} s | {rb.Cpu:0.00} s | {bInstalled} | {bOrigins} |"));
        text.AppendLine(I($"| C: build locally | {rc.Wall:0.00} s | {rc.Cpu:0.00} s | {cInstalled} | built |")).AppendLine();
        text.AppendLine(I($"B vs C: {rc.Wall / rb.Wall:0.0}× faster wall, {rc.Cpu / Math.Max(rb.Cpu, 0.001):0.0}× less CPU (targets: ≥ 10×, B under 5 s: {(rb.Wall < 5 ? "met" : "not met")})."));
        var file = Path.Combine(o.OutDir, "RESULTS-artifacts.md");
        await File.WriteAllTextAsync(file, text.ToString());
        Console.WriteLine(text);
        Console.WriteLine($"bench: wrote {file}");
        return ra.Exit == 0 && rb.Exit == 0 && rc.Exit == 0 ? 0 : 1;
    }

    /// <summary>The bytes of every layer in <paramref name="t"/>'s artifact cache (what a pull downloads, besides ~3 KB of metadata each).</summary>
    private static long LayerBytes(BenchTrees t) =>
        Directory.EnumerateFiles(Path.Combine(t.DkmsTree, ".artifacts"), "artifact.tar", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static async Task<BenchTrees> TreeAsync(BenchOptions o, string name, IReadOnlyList<CorpusModule> modules, string frameworkConf)
    {
        var t = new BenchTrees(Path.Combine(o.WorkDir, name));
        await File.WriteAllTextAsync(t.FrameworkConf, frameworkConf);
        await CorpusSources.AddAsync(o, t, modules);
        t.LinkHeaders(KernelHeaders.Kernel, KernelHeaders.Dir);
        return t;
    }

    private static async Task<(double Wall, double Cpu, int Exit)> AutoinstallAsync(BenchOptions o, BenchTrees t, string kernel)
    {
        var cmd = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsctl, "--offline", .. t.TreeArgs, "autoinstall", "-k", kernel]);
        var cpu0 = ProcStat.ChildrenCpuSeconds();
        var r = await Proc.RunAsync(cmd[0], cmd[1..], timeout: TimeSpan.FromMinutes(40));
        var cpu = ProcStat.ChildrenCpuSeconds() - cpu0;
        Console.WriteLine($"    {r.Elapsed.TotalSeconds:0.00} s wall, {cpu:0.00} s CPU, exit {r.ExitCode}");
        if (r.ExitCode != 0)
        {
            Console.WriteLine(r.Stdout + r.Stderr);
        }

        return (r.Elapsed.TotalSeconds, cpu, r.ExitCode);
    }

    /// <summary>"pulled × n, built × m" and the number of installed entries, from status --json.</summary>
    private static async Task<(string Origins, int Installed)> OriginsAsync(BenchOptions o, BenchTrees t)
    {
        var r = (await Proc.RunAsync(o.Dkmsctl, ["--offline", .. t.TreeArgs, "status", "--json"])).Checked("dkmsctl status --json");
        using var doc = JsonDocument.Parse(r.Stdout);
        var entries = doc.RootElement.EnumerateArray().ToList();
        var origins = entries.Where(e => e.TryGetProperty("origin", out _)).GroupBy(e => e.GetProperty("origin").GetString())
            .Select(g => $"{g.Key} × {g.Count()}");
        return (string.Join(", ", origins), entries.Count(e => e.GetProperty("state").GetString() == "installed"));
    }
}
