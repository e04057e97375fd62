using Dkms.Core.Actions;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Conf;

/// <summary>
/// The engine's reads of a module's dkms.conf for a kernel (through the host's <see cref="ConfCache"/>), and what a
/// strict read prints: dkms's warnings, once per module/version/kernel/arch and conf, as dkms's read cache does.
/// </summary>
/// <param name="packageCode">Runs the evaluation (bash on the package's dkms.conf): in the build sandbox when there is one.</param>
internal sealed class ModuleConfs(DkmsTree tree, ConfCache cache, DkmsOutput output, string runningKernel, Processes.IProcessRunner packageCode)
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public ConfCache Cache { get; } = cache;

    /// <summary>Reads m/v's dkms.conf (or <c>-c</c>, or <paramref name="confPath"/>) for a kernel; strict reads print dkms's warnings.</summary>
    public async Task<DkmsConf> ReadAsync(ModuleRef? mv, KernelTarget target, ActionOptions options, bool strict,
        CancellationToken ct, string? confPath = null)
    {
        var kernel = KernelInfo.Resolve(tree.Settings, target, options);
        var path = confPath ?? options.ConfFile ?? Path.Combine(tree.SourceLink(mv!.Module, mv.Version), "dkms.conf");
        var ctx = new ConfContext
        {
            Settings = tree.Settings,
            Kernel = target.Kernel,
            Arch = target.Arch,
            KernelSourceDir = kernel.SourceDir,
            KernelConfig = kernel.ConfigPath,
            Module = mv?.Module ?? string.Empty,
            ModuleVersion = mv?.Version ?? string.Empty,
            Directives = options.Directives,
            RunningKernel = runningKernel,
        };
        var conf = await Cache.GetOrReadAsync(path, ctx, strict, () => DkmsConfReader.ReadAsync(path, ctx, strict, packageCode, ct)).ConfigureAwait(false);
        if (strict)
        {
            // dkms caches a read per module/version/kernel/arch and conf, so its warnings print once per process.
            bool first;
            lock (_reported)
            {
                first = _reported.Add($"{ctx.Module}/{ctx.ModuleVersion}/{ctx.Kernel}/{ctx.Arch}/{PathGuard.RealPath(path)}");
            }

            if (first || !conf.IsValid)
            {
                Report(conf);
            }
            else if (tree.Settings.Profile.ZeroModulesWarnedOnEveryStrictRead && ZeroModules(conf))
            {
                output.ErrLine(output.Messages.ZeroModules); // 3.2's read_conf_strict warns outside read_conf's cache
            }

            DkmsConfReader.RequireValid(conf);
        }

        return conf;
    }

    /// <summary>A lenient read that must still be valid: its problems are printed as a strict read prints them, then thrown.</summary>
    public DkmsConf RequireValid(DkmsConf conf)
    {
        if (!conf.IsValid)
        {
            Report(conf);
            DkmsConfReader.RequireValid(conf);
        }

        return conf;
    }

    /// <summary>Prints what dkms prints while reading a conf strictly: its stderr, errors, deprecations.</summary>
    public void Report(DkmsConf conf)
    {
        foreach (var line in conf.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.ErrLine(line);
        }

        foreach (var e in conf.Errors)
        {
            output.ErrLine(e);
        }

        if (conf.IsValid)
        {
            foreach (var d in conf.Deprecations)
            {
                output.Deprecated(d);
            }

            if (ZeroModules(conf))
            {
                output.ErrLine(output.Messages.ZeroModules);
            }
        }
    }

    private static bool ZeroModules(DkmsConf conf) => conf.Modules.Count == 0 && conf.ExcludedModules.Count == 0;
}
