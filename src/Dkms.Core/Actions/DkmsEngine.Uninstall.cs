using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary><c>uninstall m/v -k …|--all</c>: removes the installed copies; the module stays built.</summary>
    public async Task<int> UninstallAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default)
    {
        RequireAdded(mv);
        await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
        {
            foreach (var t in targets)
            {
                await ObservedUnitAsync(mv, t, () => MaybeUninstallAsync(mv, t, options, ct)).ConfigureAwait(false);
            }
        }

        return 0;
    }

    /// <summary><c>unbuild m/v -k …|--all</c>: uninstalls, then deletes the build; the module stays added.</summary>
    public async Task<int> UnbuildAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default)
    {
        RequireAdded(mv);
        await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
        {
            foreach (var t in targets)
            {
                await ObservedUnitAsync(mv, t, async () =>
                {
                    await MaybeUninstallAsync(mv, t, options, ct).ConfigureAwait(false);
                    MaybeUnbuild(mv, t);
                }).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private async Task MaybeUninstallAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        if (!IsInstalled(mv.Module, mv.Version, t.Kernel, t.Arch))
        {
            // 3.4 says nothing of a package with BUILD_EXCLUSIVE directives: not being installed is expected there.
            if (!_ctx.Profile.QuietNotInstalledWhenBuildExclusive || !await HasBuildExclusiveAsync(mv, t, options, ct).ConfigureAwait(false))
            {
                _out.Line(M.NotInstalled(mv, t));
            }

            return;
        }

        await UninstallWithLockHeldAsync(mv, t, options, ct).ConfigureAwait(false);
    }

    /// <summary>Whether m/v's dkms.conf sets a BUILD_EXCLUSIVE directive; false when it cannot be read (as dkms's <c>read_conf … || true</c>).</summary>
    private async Task<bool> HasBuildExclusiveAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        try
        {
            return (await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false)).HasBuildExclusive;
        }
        catch (DkmsException)
        {
            return false;
        }
    }

    private void MaybeUnbuild(ModuleRef mv, KernelTarget t)
    {
        if (!IsBuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch))
        {
            _out.Line(M.NotBuilt(mv, t));
            return;
        }

        Unbuild(mv, t);
    }

    /// <summary>Deletes <c>m/v/k/a</c> (and <c>m/v/k</c> when nothing else is left in it).</summary>
    private void Unbuild(ModuleRef mv, KernelTarget t)
    {
        var built = Tree.BuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch);
        if (Directory.Exists(built))
        {
            Directory.Delete(built, recursive: true);
        }

        var kernelDir = Tree.KernelDir(mv.Module, mv.Version, t.Kernel);
        if (Directory.Exists(kernelDir) && !Directory.EnumerateDirectories(kernelDir).Any())
        {
            Directory.Delete(kernelDir, recursive: true);
        }
    }

    /// <summary>dkms's do_uninstall with the module lock held.</summary>
    private async Task UninstallWithLockHeldAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        _out.Line(M.UninstallHeader(mv, t));
        var active = IsInstalled(m, v, t.Kernel, t.Arch);
        var conf = await ReadConfAsync(mv, t, options, strict: false, ct).ConfigureAwait(false);
        var hadOriginals = Directory.Exists(Tree.OriginalModuleDir(m, t.Kernel, t.Arch));
        if (active)
        {
            _out.Line(M.WasActive);
            await RemoveInstalledFilesAsync(mv, t, conf, ct).ConfigureAwait(false);
        }
        else
        {
            _out.Line(M.WasInactive);
        }

        var link = Tree.InstalledLink(m, t.Kernel, t.Arch);
        if (new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }

        await _ctx.Hooks.RunAsync("post_remove", "POST_REMOVE", conf.PostRemove, Tree.SourceLink(m, v), ct, module: m).ConfigureAwait(false);
        if (!options.DeferDepmod)
        {
            var kernelDir = Tree.InstallKernelDir(t.Kernel);
            try
            {
                // The module is gone whatever depmod says (3.0.10 ignores its status here); a kernel whose
                // directory was deleted has nothing to index.
                await DepmodAsync(t.Kernel, options with { NoDepmod = options.NoDepmod || !File.Exists(Path.Combine(kernelDir, "modules.dep")) }, ct)
                    .ConfigureAwait(false);
            }
            catch (DkmsException e)
            {
                M.DepmodFailedAfterUninstall(_out, t.Kernel, e.Message);
            }
        }

        if (active && hadOriginals && _ctx.Originals.DropEmpty(mv, t))
        {
            M.OriginalsRemoved(_out, t);
        }
    }

    /// <summary>Deletes each module's installed copy and puts back the kernel's original, module by module.</summary>
    private async Task RemoveInstalledFilesAsync(ModuleRef mv, KernelTarget t, DkmsConf conf, CancellationToken ct)
    {
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        var moduleDir = Tree.BuiltModuleDir(mv.Module, mv.Version, t.Kernel, t.Arch);
        foreach (var spec in conf.Modules)
        {
            string? found = null;
            foreach (var location in new[] { spec.DestLocation, spec.ConfDestLocation }.Distinct())
            {
                string dir;
                try
                {
                    dir = PathGuard.Inside(kernelDir, location.TrimStart('/'), "DEST_MODULE_LOCATION");
                }
                catch (DkmsException e)
                {
                    Report(e);
                    continue;
                }

                var candidate = ModuleFiles.Find(dir, spec.DestName);
                if (candidate is not null && await _ctx.Versions.IsOurInstalledCopyAsync(ModuleFiles.Find(moduleDir, spec.DestName), candidate, ct).ConfigureAwait(false))
                {
                    found = candidate;
                    break;
                }
            }

            var name = Path.GetFileName(found ?? ModuleFiles.Find(moduleDir, spec.DestName) ?? spec.DestName + ".ko");
            M.ModuleFile(_out, name);
            _out.LineIf(M.Uninstallation);
            if (found is null)
            {
                _out.Line(M.NotFoundWithin(kernelDir, name));
            }
            else
            {
                _out.Line(M.DeletingFrom(Path.GetDirectoryName(found)!, found));
                File.Delete(found);
                StaleWork.PruneEmptyDirectories(Path.GetDirectoryName(found)!, kernelDir);
            }

            _out.LineIf(M.OriginalModule);
            if (_ctx.Originals.Restore(mv, t, conf, f => ModuleFiles.IsFileOf(f, spec.DestName)) == 0)
            {
                M.NoOriginalStored(_out);
            }
        }

        // Archived for a module the conf no longer names.
        _ctx.Originals.Restore(mv, t, conf, f => !conf.Modules.Any(s => ModuleFiles.IsFileOf(f, s.DestName)));
    }
}
