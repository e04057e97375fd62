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
            if (M.BlankLineAfterForcedUninstall)
            {
                _out.Line();
            }
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
        // newer copy does not fail the package upgrade); upstream (the 3.2 and 3.4 profiles) aborts with exit 6 when
        // no module is left to install.
        var source = Tree.SourceLink(m, v);
        var preInstallDone = false;

        // All of the package's modules or none: what this install wrote is taken back if a later copy fails (a full
        // disk), the kernel's originals it archived are put back, and status and remove go on agreeing with the disk.
        var transaction = new InstallTransaction(this, mv, t, conf);
        try
        {
            foreach (var (spec, file, target, install, report) in checks)
            {
                M.ModuleFile(_out, Path.GetFileName(file));
                _out.LineIf(M.SanityCheck);
                report(_out);
                if (!install)
                {
                    continue;
                }

                if (!preInstallDone)
                {
                    // Before the first file is written, after its checks (where dkms runs it).
                    preInstallDone = true;
                    var pre = await _ctx.Hooks.RunAsync("pre_install", "PRE_INSTALL", conf.PreInstall, source, ct, module: m).ConfigureAwait(false);
                    if (pre != 0 && !options.Force)
                    {
                        throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.PreInstallFailed, M.PreInstallFailed());
                    }
                }

                _out.LineIf(M.OriginalModule);
                _ctx.Originals.Archive(mv, t, spec, target);
                M.Installing(_out, Path.GetDirectoryName(target)!, target);
                transaction.Keep(target);
                InstallFile(file, target);
            }
        }
        catch (Exception)
        {
            transaction.RollBack();
            throw;
        }

        if (_ctx.Profile.AbortsInstallWhenNothingInstalled && conf.Modules.Count > 0 && !checks.Any(c => c.Install))
        {
            // 3.2+: every module was refused by the version check; nothing is installed (exit 6, the version stays built).
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.InstallFailed, M.InstallationAborted());
        }

        transaction.Commit();
        AtomicFiles.ReplaceSymlink(Tree.InstalledLink(m, t.Kernel, t.Arch), Path.Combine(v, t.Kernel, t.Arch));
        await _ctx.Hooks.RunAsync("post_install", "POST_INSTALL", conf.PostInstall, source, ct, module: m).ConfigureAwait(false);
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
        await RebuildDependentModulesAsync(t, options, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Copies a module into the install tree through a temporary file in the target directory,
    /// flushed and renamed over the old one: readers see the old module or the new, never a part.
    /// </summary>
    private void InstallFile(string source, string target)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            _ctx.CopyModule(source, target, Settings.SymlinkModules);
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

    /// <summary>
    /// What one install has changed in the install tree so far, to undo it: each target it writes (a file already
    /// there is kept aside first) and each original it archives.
    /// </summary>
    private sealed class InstallTransaction
    {
        private const string AsideSuffix = ".dkms-rollback";
        private readonly DkmsEngine _engine;
        private readonly ModuleRef _mv;
        private readonly KernelTarget _t;
        private readonly DkmsConf _conf;
        private readonly HashSet<string> _storedBefore;
        private readonly List<(string Target, string? Aside)> _written = [];

        public InstallTransaction(DkmsEngine engine, ModuleRef mv, KernelTarget t, DkmsConf conf)
        {
            _engine = engine;
            _mv = mv;
            _t = t;
            _conf = conf;
            var store = engine.Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
            _storedBefore = Directory.Exists(store)
                ? Directory.EnumerateFiles(store).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>Notes a target about to be written; a module already there is kept aside (a copy, or the same link) until the end.</summary>
        public void Keep(string target)
        {
            string? aside = null;
            var link = new FileInfo(target).LinkTarget;
            if (link is not null || File.Exists(target))
            {
                aside = target + AsideSuffix;
                AtomicFiles.DeleteEntry(aside);
                if (link is not null)
                {
                    File.CreateSymbolicLink(aside, link);
                }
                else
                {
                    File.Copy(target, aside);
                }
            }

            _written.Add((target, aside));
        }

        /// <summary>Everything written stays: the kept-aside copies go.</summary>
        public void Commit()
        {
            foreach (var (_, aside) in _written)
            {
                if (aside is not null)
                {
                    AtomicFiles.DeleteEntry(aside);
                }
            }
        }

        /// <summary>Takes back what was written, newest first, and puts back the originals this install archived.</summary>
        public void RollBack()
        {
            for (var i = _written.Count - 1; i >= 0; i--)
            {
                var (target, aside) = _written[i];
                try
                {
                    if (aside is not null)
                    {
                        File.Move(aside, target, overwrite: true);
                    }
                    else
                    {
                        AtomicFiles.DeleteEntry(target);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // what cannot be taken back is left for uninstall/remove to find; the install still fails
                }
            }

            var stored = _storedBefore;
            _engine._ctx.Originals.Restore(_mv, _t, _conf, name => !stored.Contains(name));
            _engine._ctx.Originals.DropEmpty(_mv, _t);
        }
    }
}
