using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Protocol.Execution;

/// <summary>How an action ended: dkms's exit code, and for <c>mktarball</c> the archive it wrote.</summary>
public readonly record struct ActionOutcome(int ExitCode, string? Archive = null);

/// <summary>
/// Runs one <see cref="V1.ActionRequest"/> on an engine, with dkms's per-action preconditions in dkms's
/// order. dkmsd runs every action through it, and dkmsctl does too when it works in-process, so both
/// print the same lines and give the same exit codes. Failures are printed the way dkms prints them and
/// become the outcome's exit code; only cancellation escapes.
/// </summary>
public sealed class ActionExecutor(DkmsEngine engine)
{
    private Core.Output.DkmsMessages M => engine.Output.Messages;

    public async Task<ActionOutcome> RunAsync(V1.ActionRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await DispatchAsync(request, ct).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            engine.Report(e);
            return new ActionOutcome(e.ExitCode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            engine.Output.Error(e.Message);
            return new ActionOutcome(1);
        }
    }

    private async Task<ActionOutcome> DispatchAsync(V1.ActionRequest request, CancellationToken ct) => request.ActionCase switch
    {
        V1.ActionRequest.ActionOneofCase.Add => new(await AddAsync(request.Add, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Build => new(await BuildAsync(request.Build.Module, request.Build.SourceDir, request.Build.Kernels,
            request.Build.Options, install: false, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Install => new(await BuildAsync(request.Install.Module, request.Install.SourceDir,
            request.Install.Kernels, request.Install.Options, install: true, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Uninstall => new(await RemovalAsync(request.Uninstall, V1.Action.Uninstall, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Unbuild => new(await RemovalAsync(request.Unbuild, V1.Action.Unbuild, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Remove => new(await RemovalAsync(request.Remove, V1.Action.Remove, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Autoinstall => new(await AutoinstallAsync(request.Autoinstall, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.Match => new(await MatchAsync(request.Match, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.MkTarball => await MkTarballAsync(request.MkTarball, ct).ConfigureAwait(false),
        V1.ActionRequest.ActionOneofCase.LdTarball => new(await LdTarballAsync(request.LdTarball, ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.GenerateMok => new(await engine.GenerateMokAsync(ct).ConfigureAwait(false)),
        V1.ActionRequest.ActionOneofCase.RemoveKernel => new(await RemoveKernelAsync(request.RemoveKernel, ct).ConfigureAwait(false)),
        _ => throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, M.NoActionInRequest()),
    };

    /// <summary><c>add</c>: m/v, a source directory (or its dkms.conf), or a tarball.</summary>
    private async Task<int> AddAsync(V1.AddRequest r, CancellationToken ct)
    {
        RequireWritableTree();
        var options = ProtoMapping.ToCore(r.Options);
        switch (r.SourceCase)
        {
            case V1.AddRequest.SourceOneofCase.SourceDir:
                RequireRoot();
                return (await engine.AddSourceTreeAsync(r.SourceDir, options, ct: ct).ConfigureAwait(false)).ExitCode;
            case V1.AddRequest.SourceOneofCase.Archive:
                RequireRoot();
                return await engine.LoadTarballAsync(r.Archive, options, ct).ConfigureAwait(false);
            default:
                return await engine.AddAsync(RequireModule(r.Module, "add"), options, ct).ConfigureAwait(false);
        }
    }

    /// <summary><c>build</c> and <c>install</c>, from m/v or a source directory (added first, unregistered).</summary>
    private async Task<int> BuildAsync(V1.ModuleRef? module, string sourceDir, IReadOnlyCollection<V1.KernelTarget> kernels,
        V1.ActionOptions? requestOptions, bool install, CancellationToken ct)
    {
        if (install)
        {
            RequireRoot();
        }

        RequireWritableTree();
        var options = ProtoMapping.ToCore(requestOptions);
        ModuleRef mv;
        if (sourceDir.Length > 0)
        {
            RequireRoot();
            var (added, addCode) = await engine.AddSourceTreeAsync(sourceDir, options, existingIsFine: true, register: false, ct)
                .ConfigureAwait(false);
            if (addCode != 0)
            {
                return addCode;
            }

            mv = added;
        }
        else
        {
            mv = RequireModule(module, "add"); // build and install add the module first; dkms prints add's usage
            engine.RequireNotBroken(mv);
        }

        var targets = ProtoMapping.TargetsOrRunning(kernels, engine.RunningKernel);
        var code = install
            ? await engine.InstallAsync(mv, targets, options, ct).ConfigureAwait(false)
            : await engine.BuildAsync(mv, targets, options, ct).ConfigureAwait(false);
        if (code == 0 && install)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary><c>uninstall</c>, <c>unbuild</c> and <c>remove</c> (<c>-k …</c> or <c>--all</c>).</summary>
    private async Task<int> RemovalAsync(V1.ModuleActionRequest r, V1.Action action, CancellationToken ct)
    {
        var mv = RequireModule(r.Module, action switch
        {
            V1.Action.Uninstall => "uninstall",
            V1.Action.Unbuild => "unbuild",
            _ => "remove",
        });
        engine.RequireAdded(mv);
        if (action == V1.Action.Uninstall)
        {
            RequireRoot();
        }
        else
        {
            RequireWritableTree();
        }

        var options = ProtoMapping.ToCore(r.Options, r.All);
        var targets = r.All ? engine.BuiltTargets(mv) : ProtoMapping.TargetsOrRunning(r.Kernels, engine.RunningKernel);
        var code = action switch
        {
            V1.Action.Uninstall => await engine.UninstallAsync(mv, targets, options, ct).ConfigureAwait(false),
            V1.Action.Unbuild => await engine.UnbuildAsync(mv, targets, options, ct).ConfigureAwait(false),
            _ => await engine.RemoveAsync(mv, targets, options, ct).ConfigureAwait(false),
        };
        if (code == 0)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary><c>autoinstall</c> and <c>kernel_postinst</c> for one kernel.</summary>
    private async Task<int> AutoinstallAsync(V1.AutoinstallRequest r, CancellationToken ct)
    {
        RequireRoot();
        var target = ProtoMapping.TargetsOrRunning(r.Kernel is null ? [] : [r.Kernel], engine.RunningKernel)[0];
        return await engine.AutoinstallAsync(target, ProtoMapping.ToCore(r.Options), ct).ConfigureAwait(false);
    }

    /// <summary><c>kernel_prerm</c> and <c>kernel_preinst</c> for one kernel.</summary>
    private async Task<int> RemoveKernelAsync(V1.RemoveKernelRequest r, CancellationToken ct)
    {
        RequireRoot();
        var target = ProtoMapping.TargetsOrRunning(r.Kernel is null ? [] : [r.Kernel], engine.RunningKernel)[0];
        return await engine.KernelRemoveAsync(target, r.OnlyAutoinstall, ProtoMapping.ToCore(r.Options), ct).ConfigureAwait(false);
    }

    /// <summary><c>match --templatekernel T -k K [module]</c>.</summary>
    private async Task<int> MatchAsync(V1.MatchRequest r, CancellationToken ct)
    {
        RequireRoot();
        if (string.IsNullOrEmpty(r.TemplateKernel))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, M.MatchUsage());
        }

        var target = ProtoMapping.TargetsOrRunning(r.Kernel is null ? [] : [r.Kernel], engine.RunningKernel)[0];
        var template = new KernelTarget(NameValidator.Require(r.TemplateKernel, "kernel version"), target.Arch);
        var module = string.IsNullOrEmpty(r.Module) ? null : NameValidator.Require(r.Module, "module name");
        return await engine.MatchAsync(template, target, module, ProtoMapping.ToCore(r.Options), ct).ConfigureAwait(false);
    }

    /// <summary><c>mktarball</c>.</summary>
    private async Task<ActionOutcome> MkTarballAsync(V1.MkTarballRequest r, CancellationToken ct)
    {
        var mv = RequireModule(r.Module, "mktarball");
        engine.RequireAdded(mv);
        var targets = r.All ? engine.BuiltTargets(mv) : ProtoMapping.TargetsOrRunning(r.Kernels, engine.RunningKernel);
        var archive = await engine.MakeTarballAsync(mv, targets, r.Archive.Length > 0 ? r.Archive : null, r.SourceOnly, r.BinariesOnly, ct)
            .ConfigureAwait(false);
        return new ActionOutcome(0, archive);
    }

    /// <summary><c>ldtarball</c>.</summary>
    private async Task<int> LdTarballAsync(V1.LdTarballRequest r, CancellationToken ct)
    {
        if (r.Options?.Force == true && !SystemInfo.IsRoot())
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, M.NotRootForForce());
        }

        RequireWritableTree();
        if (r.Archive.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, M.ArchiveNotGiven());
        }

        return await engine.LoadTarballAsync(Path.GetFullPath(r.Archive), ProtoMapping.ToCore(r.Options), ct).ConfigureAwait(false);
    }

    /// <summary>dkms's check_module_args: m/v must be given, else its usage lines for <paramref name="action"/>.</summary>
    private ModuleRef RequireModule(V1.ModuleRef? module, string action)
    {
        if (module is null || module.Name.Length == 0 || module.Version.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, M.ModuleArgumentsMissing(action));
        }

        return new ModuleRef(module.Name, module.Version);
    }

    /// <summary>dkms's root check, on the process that runs the engine (dkmsd checks its caller before this).</summary>
    private void RequireRoot()
    {
        if (!SystemInfo.IsRoot())
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, M.NotRoot());
        }
    }

    /// <summary>dkms's check that a non-root user may write the dkms tree.</summary>
    private void RequireWritableTree()
    {
        if (SystemInfo.IsRoot())
        {
            return;
        }

        var root = engine.Tree.Root;
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".dkms-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, M.NoWriteAccess(root));
        }
    }
}
