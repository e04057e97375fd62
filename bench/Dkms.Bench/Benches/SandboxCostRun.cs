using System.Globalization;
using System.Text;
using Dkms.Bench.Infrastructure;
using Dkms.Bench.Report;
using Dkms.Bench.Trees;
using Dkms.Core.Processes;
using Dkms.Core.Sandbox;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>bench/run --sandbox-cost</c>: what the build sandbox costs. (1) The start of one trivial step (<c>bash -c true</c>,
/// as dkmsctl runs every step) as dkmsctl would run it sandboxed (the very command line of <see cref="BuildSandbox.Wrap"/>:
/// setpriv → prlimit → bwrap → the step, with a build directory's view) against the same step unsandboxed, and the
/// chain without bwrap. (2) One small module added, built and installed by <c>dkmsctl --offline</c> with
/// <c>build_sandbox="bwrap"</c> and <c>"none"</c>. (3) The corpus autoinstall of the full run, dkmsd (sandboxed, the
/// default) ÷ dkms, plus dkmsd with <c>"none"</c>. Written to RESULTS-sandbox-cost.md.
/// </summary>
internal static class SandboxCostRun
{
    public static async Task<int> RunAsync(BenchOptions o, ResultsWriter results)
    {
        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var steps = Math.Max(o.Smoke ? 10 : 60, 1);

        Console.WriteLine("sandbox: step start...");
        var sandbox = BuildSandbox.ForThisProcess(BuildUser.Resolve())
            ?? throw new InvalidOperationException("bubblewrap (bwrap) is not installed.");
        if (await sandbox.ProbeAsync() is { } why)
        {
            throw new InvalidOperationException("the sandbox cannot run here: " + why);
        }

        var tree = Directory.CreateDirectory(Path.Combine(o.WorkDir, "sandbox-cost", "dkms")).FullName;
        var build = Directory.CreateDirectory(Path.Combine(tree, "m", "1.0", "build")).FullName;
        var view = new SandboxView
        {
            Writable = [build],
            Visible = [tree],
            HiddenDirectories = [Path.Combine(tree, ".dkmsd"), Path.Combine(tree, ".locks")],
            HiddenFiles = [Path.Combine(tree, "mok.key")],
        };
        Directory.CreateDirectory(Path.Combine(tree, ".locks"));
        File.WriteAllText(Path.Combine(tree, "mok.key"), "not a key");
        var step = new ProcessSpec("bash", ["-c", "true"]) { WorkingDirectory = build };
        var wrapped = sandbox.Wrap(step, view);
        var bwrapAt = wrapped.Arguments.ToList().IndexOf(sandbox.Bwrap);
        // The same chain without bwrap: setpriv → prlimit → the step (the drop and the limits alone).
        var withoutBwrap = wrapped with { Arguments = [.. wrapped.Arguments.Take(bwrapAt), "bash", "-c", "true"] };

        var plain = new List<double>();
        var chain = new List<double>();
        var full = new List<double>();
        using (sandbox.Lend(build))
        {
            for (var i = 0; i < steps + 3; i++)
            {
                // Interleaved, so load that comes and goes hits all three alike; the first three are warm-up.
                var a = await Proc.RunAsync(step.FileName, step.Arguments, workingDir: build);
                var b = await Proc.RunAsync(withoutBwrap.FileName, withoutBwrap.Arguments, workingDir: build);
                var c = await Proc.RunAsync(wrapped.FileName, wrapped.Arguments, workingDir: build);
                a.Checked("bash -c true");
                b.Checked("setpriv/prlimit bash -c true");
                c.Checked("sandboxed bash -c true");
                if (i >= 3)
                {
                    plain.Add(a.Elapsed.TotalSeconds);
                    chain.Add(b.Elapsed.TotalSeconds);
                    full.Add(c.Elapsed.TotalSeconds);
                }
            }
        }

        var sPlain = Summary.Of(plain);
        var sChain = Summary.Of(chain);
        var sFull = Summary.Of(full);

        Console.WriteLine("sandbox: one small module, add + build + install...");
        var module = ExampleModules.Create(o, Directory.CreateDirectory(Path.Combine(o.WorkDir, "sandbox-cost", "examples")).FullName, 1)[0];
        var runs = o.Smoke ? 2 : 7;
        var installBwrap = new List<double>();
        var installNone = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            installBwrap.Add(await InstallOnceAsync(o, module, Path.Combine(o.WorkDir, "sandbox-cost", I($"bwrap-{i}")), "bwrap"));
            installNone.Add(await InstallOnceAsync(o, module, Path.Combine(o.WorkDir, "sandbox-cost", I($"none-{i}")), "none"));
        }

        var sInstallBwrap = Summary.Of(installBwrap);
        var sInstallNone = Summary.Of(installNone);

        Console.WriteLine("sandbox: autoinstall, dkmsd sandboxed vs dkms, then dkmsd unsandboxed...");
        var modules = o.Smoke
            ? ExampleModules.Create(o, Directory.CreateDirectory(Path.Combine(o.WorkDir, "examples")).FullName, 2)
            : [.. (await CorpusSources.UnpackAsync(o, Path.Combine(o.WorkDir, "corpus-debs"))).Where(m => !o.ExcludedFromAutoinstall.Contains(m.Package))];
        var sandboxed = await new AutoinstallBench(o).RunAsync(Path.Combine(o.WorkDir, "autoinstall-bwrap"), modules);
        var unsandboxed = await new AutoinstallBench(o).DaemonOnlyAsync(Path.Combine(o.WorkDir, "autoinstall-none"), modules, "build_sandbox=\"none\"\n");

        var startCost = sFull.Median - sPlain.Median;
        results.Headline(
        [
            ("sandboxed step start − unsandboxed (bash -c true, median)", I($"+{Summary.Time(startCost)} ({Summary.Time(sFull.Median)} vs {Summary.Time(sPlain.Median)})"), "–"),
            ("small module add+build+install: bwrap ÷ none (median)", I($"{sInstallBwrap.Median / sInstallNone.Median:0.00} ({Summary.Time(sInstallBwrap.Median)} vs {Summary.Time(sInstallNone.Median)})"), "–"),
            ("autoinstall: dkmsd (sandboxed) ÷ dkms wall", I($"{sandboxed.RatioToDkms:0.00} ({Summary.Time(sandboxed.DaemonWall)} vs {Summary.Time(sandboxed.DkmsWall)})"), "≤ 0.60 (0.51 before the sandbox)"),
            ("autoinstall: dkmsd sandboxed ÷ dkmsd unsandboxed wall", I($"{sandboxed.DaemonWall / unsandboxed.DaemonWall:0.00} ({Summary.Time(sandboxed.DaemonWall)} vs {Summary.Time(unsandboxed.DaemonWall)})"), "–"),
        ]);
        var body = new StringBuilder()
            .AppendLine(I($"One step is `bash -c true` in a build directory, {steps} runs of each kind interleaved after 3 warm-up rounds, timed fork to reap by the harness. "))
            .AppendLine(I($"Sandboxed is BuildSandbox.Wrap's own command line (`{string.Join(' ', wrapped.Arguments.Take(bwrapAt).Prepend(wrapped.FileName))} bwrap --ro-bind / / ... --unshare-all --die-with-parent --new-session --as-pid-1 ... -- bash -c true`, dropping to {(sandbox.DropTo is { } u ? I($"uid {u.Uid}") : "nobody: unprivileged")}).")).AppendLine()
            .AppendLine("| step | median | min | max | n |").AppendLine("|---|---|---|---|---|")
            .AppendLine(I($"| unsandboxed `bash -c true` | {sPlain.Cells} |"))
            .AppendLine(I($"| setpriv → prlimit → `bash -c true` (no bwrap) | {sChain.Cells} |"))
            .AppendLine(I($"| setpriv → prlimit → bwrap → `bash -c true` (sandboxed) | {sFull.Cells} |"))
            .AppendLine(I($"| **sandbox start cost** (sandboxed − unsandboxed medians) | {Summary.Time(startCost)} | | | |")).AppendLine()
            .AppendLine(I($"One small module (examples/hello-dkms-1.0 renamed), `dkmsctl --offline add` + `install -k K` on fresh trees, {runs} runs each, alternating:")).AppendLine()
            .AppendLine("| build_sandbox | median | min | max | n |").AppendLine("|---|---|---|---|---|")
            .AppendLine(I($"| \"bwrap\" | {sInstallBwrap.Cells} |"))
            .AppendLine(I($"| \"none\" | {sInstallNone.Cells} |")).AppendLine()
            .AppendLine(I($"Autoinstall ({modules.Count} modules: {string.Join(", ", modules.Select(m => m.Ref))}), as in the full run's section 2; dkmsd `--workers 2`, one run each, in this order:")).AppendLine()
            .AppendLine("| | wall | build CPU | installed |").AppendLine("|---|---|---|---|")
            .AppendLine(I($"| dkmsd, build_sandbox default (bwrap) | {Summary.Time(sandboxed.DaemonWall)} | {sandboxed.DaemonBuildCpu:0.0} s | {sandboxed.DaemonInstalled} |"))
            .AppendLine(I($"| dkms autoinstall | {Summary.Time(sandboxed.DkmsWall)} | {sandboxed.DkmsCpu:0.0} s | {sandboxed.DkmsInstalled} |"))
            .AppendLine(I($"| dkmsd, build_sandbox=\"none\" | {Summary.Time(unsandboxed.DaemonWall)} | {unsandboxed.DaemonBuildCpu:0.0} s | {unsandboxed.DaemonInstalled} |")).AppendLine()
            .AppendLine(I($"dkmsd (sandboxed) ÷ dkms: **{sandboxed.RatioToDkms:0.00}**; dkmsd unsandboxed ÷ dkms: {unsandboxed.DaemonWall / sandboxed.DkmsWall:0.00}; same final status as dkms: {(sandboxed.SameStatus ? "yes" : "NO")}."));
        results.Section("Sandbox cost", body.ToString());
        results.WriteTo(o.OutDir, "RESULTS-sandbox-cost.md");
        return 0;
    }

    /// <summary>Seconds for <c>add</c> + <c>install</c> of <paramref name="module"/> on fresh trees with the given build_sandbox.</summary>
    private static async Task<double> InstallOnceAsync(BenchOptions o, CorpusModule module, string root, string kind)
    {
        var t = new BenchTrees(root);
        File.WriteAllText(t.FrameworkConf, $"build_sandbox=\"{kind}\"\n");
        t.LinkHeaders(KernelHeaders.Kernel, KernelHeaders.Dir);
        var copy = Path.Combine(t.SourceTree, Path.GetFileName(module.SourceDir));
        await TreeCopy.CopyAsync(module.SourceDir, copy);
        var add = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsctl, "--offline", .. t.TreeArgs, "add", module.Ref]);
        var install = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsctl, "--offline", .. t.TreeArgs, "install", module.Ref, "-k", KernelHeaders.Kernel]);
        var a = (await Proc.RunAsync(add[0], add[1..])).Checked($"dkmsctl add ({kind})");
        var b = (await Proc.RunAsync(install[0], install[1..])).Checked($"dkmsctl install ({kind})");
        Directory.Delete(root, recursive: true);
        return (a.Elapsed + b.Elapsed).TotalSeconds;
    }
}
