using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary><c>install m/v -k …</c>: adds and builds first when needed; each kernel on its own.</summary>
    public Task<int> InstallAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default) =>
        ForEachKernelLockingAsync(mv, targets, t => InstallWithLockHeldAsync(mv, t, options, ct), ct);

    /// <summary>One kernel of <c>install</c>, with the module lock held.</summary>
    private async Task<int> InstallWithLockHeldAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        if (IsInstalled(m, v, t.Kernel, t.Arch))
        {
            if (!options.Force)
            {
                _out.Line(M.AlreadyInstalled(mv, t));
                return 0;
            }

            await UninstallWithLockHeldAsync(mv, t, options, ct).ConfigureAwait(false);
        }

        if (!IsBuiltDir(m, v, t.Kernel, t.Arch))
        {
            await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        }

        Phase("install");
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        if (!Directory.Exists(kernelDir))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.InstallFailed, M.KernelDirectoryMissing(kernelDir));
        }

        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        var moduleDir = Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        var built = new List<(ModuleSpec Spec, string File)>();
        foreach (var spec in conf.Modules)
        {
            var file = ModuleFiles.Find(moduleDir, spec.DestName)
                       ?? throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.InstallFailed, M.BuiltFileMissing(spec.DestName, moduleDir));
            built.Add((spec, file));
        }

        // Check every module first, then write: a refused module never leaves a half-done install. What the checks
        // say is printed afterwards, module by module, where dkms prints it.
        var checks = new List<(ModuleSpec Spec, string File, string Target, bool Install, Action<DkmsOutput> Report)>();
        foreach (var (spec, file) in built)
        {
            var target = PathGuard.Inside(kernelDir, spec.DestLocation.TrimStart('/') + "/" + Path.GetFileName(file), "DEST_MODULE_LOCATION");
            var (install, report) = await _ctx.Versions.CheckAsync(t, conf, spec, file, options, ct).ConfigureAwait(false);
            checks.Add((spec, file, target, install, report));
        }

        // Debian's 3.0.10 counts a module refused by the version check as installed (so a kernel that ships a
        // newer copy does not fail the package upgrade); upstream aborts with exit 6. Status and exit codes follow 3.0.10.
        var source = Tree.SourceLink(m, v);
        var preInstallDone = false;
        foreach (var (spec, file, target, install, report) in checks)
        {
            M.ModuleFile(_out, Path.GetFileName(file));
            _out.Line(M.SanityCheck);
            report(_out);
            if (!install)
            {
                continue;
            }

            if (!preInstallDone)
            {
                // Before the first file is written, after its checks (where dkms runs it).
                preInstallDone = true;
                var pre = await _ctx.Hooks.RunAsync("pre_install", "PRE_INSTALL", conf.PreInstall, source, ct).ConfigureAwait(false);
                if (pre != 0 && !options.Force)
                {
                    throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.PreInstallFailed, M.PreInstallFailed());
                }
            }

            _out.Line(M.OriginalModule);
            _ctx.Originals.Archive(mv, t, spec, target);
            M.Installing(_out, Path.GetDirectoryName(target)!, target);
            InstallFile(file, target);
        }

        AtomicFiles.ReplaceSymlink(Tree.InstalledLink(m, t.Kernel, t.Arch), Path.Combine(v, t.Kernel, t.Arch));
        await _ctx.Hooks.RunAsync("post_install", "POST_INSTALL", conf.PostInstall, source, ct).ConfigureAwait(false);
        try
        {
            await DepmodAsync(t.Kernel, options, ct).ConfigureAwait(false);
        }
        catch (DkmsException)
        {
            await UninstallWithLockHeldAsync(mv, t, options with { NoDepmod = true }, ct).ConfigureAwait(false);
            throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.InstallFailed, M.DepmodProblems());
        }

        await ModprobeOnInstallAsync(t, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Copies a module into the install tree through a temporary file in the target directory,
    /// flushed and renamed over the old one: readers see the old module or the new, never a part.
    /// </summary>
    private void InstallFile(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            AtomicFiles.WriteCopy(source, target, asSymlink: Settings.SymlinkModules);
        }
        catch (IOException e)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.InstallFailed, M.InstallCopyFailed(source, e.Message));
        }
    }

    /// <summary>
    /// Runs <c>depmod -a</c> for the kernel against the configured install tree (dkms ignores
    /// <c>--installtree</c> here, §13.9). Prints dkms's line even with <c>--no-depmod</c>.
    /// </summary>
    public async Task DepmodAsync(string kernel, ActionOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Phase("depmod");
        await _ctx.Depmod.RunAsync(kernel, options.NoDepmod, ct).ConfigureAwait(false);
    }
}
