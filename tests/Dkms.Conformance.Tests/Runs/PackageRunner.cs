using System.Diagnostics;
using System.Text;
using Dkms.Conformance.Tests.Host;
using Dkms.Conformance.Tests.Processes;

namespace Dkms.Conformance.Tests.Runs;

/// <summary>
/// Does to one unpacked package what a Debian postinst does, with one implementation on its own trees:
/// copy the source into the source tree, <c>add &lt;dir&gt;</c>, <c>install -k &lt;k&gt;</c>, <c>status</c>.
/// </summary>
internal static class PackageRunner
{
    /// <summary>make -j for both implementations (the machine has 2 cores and one build runs at a time).</summary>
    public const int Jobs = 2;

    private static readonly TimeSpan QuickStepTimeout = TimeSpan.FromMinutes(2);

    // lttng-modules has ~46 modules; a full build on 2 cores takes minutes, a hang must not take forever.
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(30);

    public static async Task<RunResult> RunAsync(DkmsTool tool, string packageSource, TestKernel kernel, TempTrees trees, bool shielded)
    {
        var clock = Stopwatch.StartNew();
        var diagnostics = new StringBuilder();

        async Task<ProcessOutcome> Step(string name, IReadOnlyList<string> args, TimeSpan timeout)
        {
            var (file, argv) = shielded
                ? MountShield.Wrap(trees.ShieldStateDir, trees.ShieldModulesDir, tool.FileName, args)
                : (tool.FileName, args);
            var outcome = await BoundedProcess.RunAsync(file, argv, timeout, trees.Root).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                diagnostics.Append("=== ").Append(tool.Label).Append(' ').Append(name).Append(": exit ").Append(outcome.ExitCode)
                    .Append(" ===\n").Append(trees.Normalise(outcome.Tail())).Append('\n');
            }

            return outcome;
        }

        // cp -a keeps modes: lttng's Kbuild runs scripts/*.sh, which must stay executable.
        var copy = Path.Combine(trees.SourceTree, Path.GetFileName(packageSource));
        await BoundedProcess.RunCheckedAsync("cp", ["-a", packageSource, copy], QuickStepTimeout).ConfigureAwait(false);

        // Add by path, as a package's postinst would; the tree then says which module/version dkms.conf named.
        var add = await Step("add", tool.Arguments(trees, "add", copy), QuickStepTimeout).ConfigureAwait(false);
        var exitCode = add.ExitCode;
        var (module, version) = AddedModule(trees.DkmsTree);
        if (add.Succeeded && module is not null && version is not null)
        {
            var install = await Step("install", tool.InstallArguments(trees, module, version, kernel, Jobs), InstallTimeout).ConfigureAwait(false);
            exitCode = install.ExitCode;
        }
        else if (add.Succeeded)
        {
            diagnostics.Append("add exited 0 but the dkms tree does not hold exactly one <module>/<version>.\n");
        }

        var status = await Step("status", tool.Arguments(trees, "status"), QuickStepTimeout).ConfigureAwait(false);
        clock.Stop();

        var installed = TreeFiles.Walk(trees.KernelDir);
        var built = TreeFiles.Walk(trees.DkmsTree)
            .Where(p => TreeFiles.IsKernelModule(p) && !InBuildDirectory(p))
            .Select(TreeFiles.ModuleName)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (built.Count == 0 && MakeLogTail(trees.DkmsTree) is { } makeLog)
        {
            diagnostics.Append("=== ").Append(tool.Label).Append(" make.log (tail) ===\n").Append(trees.Normalise(makeLog)).Append('\n');
        }

        return new RunResult(
            tool.Label,
            exitCode,
            module,
            version,
            StatusLines(trees.Normalise(status.Stdout)),
            installed,
            [.. installed.Where(TreeFiles.IsKernelModule)],
            built,
            trees.ShieldWrites(),
            clock.Elapsed,
            diagnostics.ToString());
    }

    // <m>/<v>/build/ is the scratch copy of the source: a failed build leaves it (and partial .ko files) behind.
    private static bool InBuildDirectory(string relative) => relative.Split('/') is [_, _, "build", ..];

    private static (string? Module, string? Version) AddedModule(string dkmsTree)
    {
        // Real directories only: <m>/kernel-<k>-<arch> links and dkmsctl's .locks are not modules.
        static string[] Dirs(string dir) =>
            [.. new DirectoryInfo(dir).GetDirectories().Where(d => d.LinkTarget is null && !d.Name.StartsWith('.')).Select(d => d.Name)];
        var modules = Dirs(dkmsTree);
        if (modules.Length != 1)
        {
            return (null, null);
        }

        var versions = Dirs(Path.Combine(dkmsTree, modules[0]));
        return versions.Length == 1 ? (modules[0], versions[0]) : (modules[0], null);
    }

    private static List<string> StatusLines(string stdout) =>
        [.. stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0)];

    private static string? MakeLogTail(string dkmsTree)
    {
        var log = TreeFiles.Walk(dkmsTree).FirstOrDefault(p => p.EndsWith("make.log", StringComparison.Ordinal));
        return log is null ? null : string.Join('\n', File.ReadLines(Path.Combine(dkmsTree, log)).TakeLast(20));
    }
}
