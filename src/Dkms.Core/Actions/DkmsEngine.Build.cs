using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Signing;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary><c>build m/v -k …</c>: builds for each kernel; a failure on one does not stop the others.</summary>
    public Task<int> BuildAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default) =>
        ForEachKernelLockingAsync(mv, targets, t => BuildWithLockHeldAsync(mv, t, options, ct), ct);

    /// <summary>One kernel of <c>build</c>, with the module lock held.</summary>
    private async Task<int> BuildWithLockHeldAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        if (IsBuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch))
        {
            if (!options.Force)
            {
                _out.Line(M.AlreadyBuilt(mv, t));
                return 0;
            }

            Unbuild(mv, t);
        }

        await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// dkms's do_build: the signing set-up, add if needed, checks, a fresh copy of the source, patches, PRE_BUILD,
    /// the clean command, make, signing and publishing the result, POST_BUILD, the clean command again.
    /// </summary>
    private async Task DoBuildAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var kernel = Kernel(t, options);
        var prepareLate = _ctx.Profile.KernelPreparedAfterBuildChecks;
        if (_ctx.Profile.HeadersBeforeSigning && !prepareLate)
        {
            RequireHeaders(kernel);
        }

        var signing = prepareLate ? null : await _ctx.Signer.PrepareAsync(kernel, ct).ConfigureAwait(false);
        if (!IsAdded(mv.Module, mv.Version))
        {
            RequireNotBroken(mv);
            await AddWithLockHeldAsync(mv, options, ct).ConfigureAwait(false);
            if (prepareLate)
            {
                _out.Line(); // 3.2's do_build: `echo ""` after the add
            }
        }

        Phase("prepare");
        var (m, v) = (mv.Module, mv.Version);
        var builtDir = Tree.BuiltDir(m, v, t.Kernel, t.Arch);
        if (Directory.Exists(builtDir))
        {
            throw new DkmsException(DkmsErrorKind.AlreadyExists, DkmsExitCode.AlreadyThere, M.AlreadyBuiltOn(t.Kernel, builtDir));
        }

        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        if (conf.IsExcluded)
        {
            throw new DkmsException(DkmsErrorKind.Excluded, DkmsExitCode.Excluded, M.BuildExcluded(mv, builtDir, Tree.SourceLink(m, v)))
            {
                IsWarning = M.ExclusionIsWarning,
            };
        }

        var source = Tree.SourceLink(m, v);
        if (Directory.EnumerateFileSystemEntries(source).Take(2).Count() < 2)
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.BadConf, M.NoModuleSource(source));
        }

        RequireHeaders(kernel);
        if (prepareLate)
        {
            // 3.2's prepare_kernel_and_signing: after the checks, once per kernel in a run, closed by a blank line.
            signing = await _ctx.Signer.PrepareAsync(kernel, ct).ConfigureAwait(false);
        }

        CheckBuildDepends(mv, t, conf, options);

        // The content key: the same inputs are never built twice (this machine's cache, then the fleet's registry).
        // A forced build runs make whatever the caches hold.
        Phase("key");
        var record = await _ctx.Artifacts.KeyAsync(mv, t, kernel, conf, source, ct).ConfigureAwait(false);
        var found = options.Force ? null : await _ctx.Artifacts.FindAsync(record, ct).ConfigureAwait(false);

        var build = Tree.BuildDir(m, v);
        if (Directory.Exists(build))
        {
            if (Processes.OrphanGuard.StopStale(build))
            {
                _out.ErrLine(M.StoppedStaleBuild(mv));
            }

            Directory.Delete(build, recursive: true);
        }

        Directory.CreateDirectory(build);
        var log = Path.Combine(build, "make.log");
        if (found is { } hit && _ctx.Artifacts.Restore(hit.Tar, conf, build, log))
        {
            Phase(hit.Origin.Origin);
            Observer?.Artifact(hit.Origin.Key, hit.Origin.Origin);
            _ctx.Steps.ShowFoundPreparation(conf);
            M.BuildingModule(_out);
            _ctx.Steps.ShowFoundMake(conf, t.Kernel);
            RequireBuiltModules(t, conf, build, log);
            await PublishBuildAsync(mv, t, kernel, signing, conf, build, ct).ConfigureAwait(false);
            _ctx.Steps.ShowFoundBuildEnd(conf);
            var logDir = Tree.BuiltLogDir(m, v, t.Kernel, t.Arch);
            File.Move(log, Path.Combine(logDir, "make.log"), overwrite: true);
            hit.Origin.WriteTo(logDir);
            Directory.Delete(build, recursive: true);
            RecordDependencyVersions(mv, t, conf, options);
            return;
        }

        // Not -a: the build copy is the copier's (root's) even when the source tree is someone else's.
        await _ctx.Log.RunToolAsync("cp", ["-dR", "--preserve=mode,timestamps", source + "/.", build + "/"], M.CopyFailed(source, build)[0],
                DkmsExitCode.BuildStepFailed, ct)
            .ConfigureAwait(false);
        if (_ctx.Profile.ConfigDirOverrides && Path.Combine(Settings.ConfigDir, m, "patches") is var overlay && Directory.Exists(overlay))
        {
            // 3.4: the administrator's patches overlay the package's (same names win); PATCH still lists what applies.
            var patches = Path.Combine(build, "patches");
            Directory.CreateDirectory(patches);
            await _ctx.Log.RunToolAsync("cp", ["-dR", "--preserve=mode,timestamps", overlay + "/.", patches + "/"], M.CopyFailed(overlay, patches)[0],
                    DkmsExitCode.BuildStepFailed, ct)
                .ConfigureAwait(false);
        }

        // Package code writes the build copy as the build user (sandboxed); given back before the modules are read.
        var lease = _ctx.PackageCode is { } package ? await package.LendBuildAsync(build).ConfigureAwait(false) : null;
        using var leased = lease;
        // 3.2+: make.log is started before the patches, which are logged steps like PRE_BUILD, make and POST_BUILD.
        var stepLog = _ctx.Profile.BuildScriptsAreLoggedSteps ? log : null;
        if (stepLog is not null)
        {
            await File.WriteAllTextAsync(log, M.MakeLogHeader(mv, t, await _ctx.Log.DateLineAsync(ct).ConfigureAwait(false)), ct).ConfigureAwait(false);
        }

        if (conf.Patches.Count > 0)
        {
            Phase("patch");
            await _ctx.Steps.ApplyPatchesAsync(conf, build, ct, stepLog).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(conf.PreBuild))
        {
            Phase("pre_build");
        }

        await _ctx.BuildHooks.RunBuildHookAsync("pre_build", "PRE_BUILD", conf.PreBuild, build, ct, mv.Module, stepLog).ConfigureAwait(false);

        M.BuildingModule(_out);
        await _ctx.Steps.CleanAsync(conf, build, ct).ConfigureAwait(false);
        if (stepLog is null)
        {
            await File.WriteAllTextAsync(log, M.MakeLogHeader(mv, t, await _ctx.Log.DateLineAsync(ct).ConfigureAwait(false)), ct).ConfigureAwait(false);
        }

        Phase("make", log);
        var buildEnvironment = await Build.BuildEnvironmentFile.ReadAsync(_ctx.Processes, Settings.BuildEnvironment, t.Kernel, ct).ConfigureAwait(false);
        await _ctx.Steps.MakeAsync(conf, t, kernel, build, log, ct, buildEnvironment).ConfigureAwait(false);
        lease?.Dispose(); // the build is root's again before anything trusted reads it

        RequireBuiltModules(t, conf, build, log);
        Phase("built");
        var origin = await _ctx.Artifacts.StoreAsync(record, conf, build, log, ct).ConfigureAwait(false);
        Observer?.Artifact(origin.Key, origin.Origin);
        await PublishBuildAsync(mv, t, kernel, signing, conf, build, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(conf.PostBuild))
        {
            Phase("post_build");
        }

        // POST_BUILD and the last clean write the build copy again (the modules are published by now).
        using (_ctx.PackageCode is { } again ? await again.LendBuildAsync(build).ConfigureAwait(false) : null)
        {
            await _ctx.BuildHooks.RunBuildHookAsync("post_build", "POST_BUILD", conf.PostBuild, build, ct, mv.Module, stepLog).ConfigureAwait(false);
            var logDir = Tree.BuiltLogDir(m, v, t.Kernel, t.Arch);
            File.Move(log, Path.Combine(logDir, "make.log"), overwrite: true);
            origin.WriteTo(logDir);
            await _ctx.Steps.CleanAsync(conf, build, ct).ConfigureAwait(false);
        }

        Directory.Delete(build, recursive: true);
        RecordDependencyVersions(mv, t, conf, options);
    }

    /// <summary>The modules make (or a found build) left in <paramref name="build"/> exist and are inside it (exit 7 otherwise).</summary>
    private void RequireBuiltModules(KernelTarget t, DkmsConf conf, string build, string log)
    {
        foreach (var spec in conf.Modules)
        {
            var ko = PathGuard.Inside(build, spec.BuiltLocation + spec.BuiltName + ".ko", "BUILT_MODULE_LOCATION");
            if (!File.Exists(ko))
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.BadBuildResult, M.BuiltModuleMissing(spec.BuiltName + ".ko", t, build, log));
            }

            // A link out of the build (to a secret, say) would have root copy what it names into the install tree.
            if (!PathGuard.IsWithin(PathGuard.RealPath(build), PathGuard.RealPath(ko)))
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.BadBuildResult,
                    $"The built module {spec.BuiltName}.ko is a link out of the build directory {build}; it is not installed.");
            }
        }
    }

    /// <summary>Strips, signs (with this host's MOK), compresses and publishes the modules in <paramref name="build"/>.</summary>
    private async Task PublishBuildAsync(ModuleRef mv, KernelTarget t, KernelInfo kernel, SigningPlan? signing, DkmsConf conf, string build,
        CancellationToken ct)
    {
        Phase(signing is null ? "publish" : "sign");
        await _ctx.Publisher.PublishAsync(mv, t, kernel, signing, conf, build, ct).ConfigureAwait(false);
    }

    /// <summary>dkms's header check for <paramref name="t"/>: exit 21 with dkms's message when they are missing.</summary>
    public void RequireHeaders(KernelTarget t, ActionOptions options) => RequireHeaders(Kernel(t, options));

    /// <summary>What autoinstall prints before its first build: the signing tool and key (generated when missing).</summary>
    public Task<SigningPlan?> PrepareSigningAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default) =>
        _ctx.Signer.PrepareAsync(Kernel(t, options), ct);

    /// <summary>The header check (exit 21), before every build.</summary>
    private void RequireHeaders(KernelInfo kernel)
    {
        if (!kernel.HeadersPresent)
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.MissingHeaders, M.HeadersMissing(kernel.Kernel, Settings.InstallTree.TrimEnd('/')));
        }
    }

    private void CheckBuildDepends(ModuleRef mv, KernelTarget t, DkmsConf conf, ActionOptions options)
    {
        var missing = conf.BuildDepends.Where(d => !State.IsAnyVersionInstalled(d, t)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var list = string.Join(' ', missing);
        if (options.Force)
        {
            _out.Warn(M.MissingBuildDependsForced(mv, t, list));
            return;
        }

        throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.BuildDependsMissing, M.MissingBuildDepends(mv, t, list));
    }
}
