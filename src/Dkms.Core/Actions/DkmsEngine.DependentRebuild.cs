using Dkms.Core.Conf;
using Dkms.Core.Validation;
using Dkms.Core.Versioning;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// 3.2+'s BUILD_DEPENDS_REBUILD, after a build (not forced): the newest version of each BUILD_DEPENDS module built
    /// for the kernel goes to <c>.dep_&lt;module&gt;</c> in the build's directory, for <see cref="RebuildDependentModulesAsync"/>.
    /// </summary>
    private void RecordDependencyVersions(ModuleRef mv, KernelTarget t, DkmsConf conf, ActionOptions options)
    {
        if (!_ctx.Profile.RebuildsDependentModules || !conf.BuildDependsRebuild || options.Force)
        {
            return;
        }

        var dir = Tree.BuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch);
        foreach (var dependency in conf.BuildDepends.Where(d => NameValidator.Problem(d) is null))
        {
            if (NewestBuiltVersion(dependency, t) is { } version)
            {
                File.WriteAllText(Path.Combine(dir, ".dep_" + dependency), version + "\n");
            }
        }
    }

    /// <summary>
    /// 3.2+'s check_and_rebuild_dependent_modules, at the end of an install: each module built for the kernel whose
    /// dkms.conf sets BUILD_DEPENDS_REBUILD and whose recorded dependency versions differ from the newest built now
    /// (or were never recorded) is uninstalled, unbuilt, built and installed again.
    /// </summary>
    /// <remarks>
    /// Upstream orders the rebuilds of modules that depend on each other in passes (and reports a cycle); dkmsctl
    /// rebuilds each in the tree's order, and the install of each checks its own dependents in turn.
    /// </remarks>
    private async Task RebuildDependentModulesAsync(KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        if (!_ctx.Profile.RebuildsDependentModules || options.Force)
        {
            return;
        }

        var stale = new List<ModuleRef>();
        foreach (var (m, v) in ListVersions())
        {
            if (!IsAdded(m, v) || !State.IsBuilt(m, v, t.Kernel, t.Arch))
            {
                continue;
            }

            var mv = new ModuleRef(m, v);
            var conf = await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false);
            if (conf.BuildDepends.Count > 0 && conf.BuildDependsRebuild && DependenciesChanged(mv, t, conf))
            {
                stale.Add(mv);
            }
        }

        foreach (var mv in stale)
        {
            _out.Line();
            _out.Line(M.RebuildingForDependencies(mv));
            _out.Line();
            await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
            {
                var own = options with { ConfFile = null };
                if (IsInstalled(mv.Module, mv.Version, t.Kernel, t.Arch))
                {
                    await UninstallWithLockHeldAsync(mv, t, own, ct).ConfigureAwait(false);
                }

                Unbuild(mv, t);
                await DoBuildAsync(mv, t, own, ct).ConfigureAwait(false);
                await InstallWithLockHeldAsync(mv, t, own, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when a BUILD_DEPENDS module built now has another newest version than the one recorded (or none was).</summary>
    private bool DependenciesChanged(ModuleRef mv, KernelTarget t, DkmsConf conf)
    {
        var dir = Tree.BuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch);
        foreach (var dependency in conf.BuildDepends.Where(d => NameValidator.Problem(d) is null))
        {
            if (NewestBuiltVersion(dependency, t) is not { } version)
            {
                continue;
            }

            var recorded = Path.Combine(dir, ".dep_" + dependency);
            if (!File.Exists(recorded) || File.ReadAllText(recorded).TrimEnd('\n') != version)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The newest version (sort -V) of <paramref name="module"/> built or installed for the kernel; null when none is.</summary>
    private string? NewestBuiltVersion(string module, KernelTarget t) =>
        ListVersions(module).Where(x => State.IsBuilt(x.Module, x.Version, t.Kernel, t.Arch))
            .Select(x => x.Version).OrderBy(v => v, VersionOrder.Natural).LastOrDefault();
}
