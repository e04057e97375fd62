using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Core.Commands;

/// <summary>
/// Runs one <see cref="DkmsCommand"/> on an engine, with dkms's per-action preconditions in dkms's order.
/// dkmsd runs every command through it, and dkmsctl does too when it works in-process, so both print the
/// same lines and give the same exit codes. Failures are printed the way dkms prints them and become the
/// outcome's exit code; only cancellation escapes.
/// </summary>
public sealed class CommandRunner(DkmsEngine engine)
{
    private DkmsMessages M => engine.Output.Messages;

    public async Task<CommandOutcome> RunAsync(DkmsCommand command, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return await DispatchAsync(command, ct).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            engine.Output.Report(e);
            return new CommandOutcome(e.ExitCode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            engine.Output.Error(e.Message);
            return new CommandOutcome(1);
        }
    }

    private async Task<CommandOutcome> DispatchAsync(DkmsCommand command, CancellationToken ct) => command switch
    {
        AddCommand c => new(await AddAsync(c, ct).ConfigureAwait(false)),
        BuildCommand c => new(await BuildAsync(c, ct).ConfigureAwait(false)),
        ModuleRemovalCommand c => new(await RemovalAsync(c, ct).ConfigureAwait(false)),
        AutoinstallCommand c => new(await AutoinstallAsync(c, ct).ConfigureAwait(false)),
        MatchCommand c => new(await MatchAsync(c, ct).ConfigureAwait(false)),
        MkTarballCommand c => await MkTarballAsync(c, ct).ConfigureAwait(false),
        LdTarballCommand c => new(await LdTarballAsync(c, ct).ConfigureAwait(false)),
        GenerateMokCommand => new(await engine.GenerateMokAsync(ct).ConfigureAwait(false)),
        KernelRemovalCommand c => new(await RemoveKernelAsync(c, ct).ConfigureAwait(false)),
        _ => throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, M.NoActionInRequest()),
    };

    /// <summary><c>add</c>: m/v, a source directory (or its dkms.conf), or a tarball.</summary>
    private async Task<int> AddAsync(AddCommand c, CancellationToken ct)
    {
        RequireWritableTree();
        var options = c.Options.Engine;
        if (c.SourceDir is not null)
        {
            RequireRoot();
            return (await engine.AddSourceTreeAsync(c.SourceDir, options, ct: ct).ConfigureAwait(false)).ExitCode;
        }

        if (c.Archive is not null)
        {
            RequireRoot();
            return await engine.LoadTarballAsync(c.Archive, options, ct).ConfigureAwait(false);
        }

        return await engine.AddAsync(RequireModule(c.Module, "add"), options, ct).ConfigureAwait(false);
    }

    /// <summary><c>build</c> and <c>install</c>, from m/v or a source directory (added first, unregistered).</summary>
    private async Task<int> BuildAsync(BuildCommand c, CancellationToken ct)
    {
        if (c.Install)
        {
            RequireRoot();
        }

        RequireWritableTree();
        var options = c.Options.Engine;
        ModuleRef mv;
        if (c.SourceDir is not null)
        {
            RequireRoot();
            var (added, addCode) = await engine.AddSourceTreeAsync(c.SourceDir, options, existingIsFine: true, register: false, ct)
                .ConfigureAwait(false);
            if (addCode != 0)
            {
                return addCode;
            }

            mv = added;
        }
        else
        {
            mv = RequireModule(c.Module, "add"); // build and install add the module first; dkms prints add's usage
            engine.RequireNotBroken(mv);
        }

        var targets = TargetSpec.Resolve(c.Targets, engine.RunningKernel);
        var code = c.Install
            ? await engine.InstallAsync(mv, targets, options, ct).ConfigureAwait(false)
            : await engine.BuildAsync(mv, targets, options, ct).ConfigureAwait(false);
        if (code == 0 && c.Install)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary><c>uninstall</c>, <c>unbuild</c> and <c>remove</c> (<c>-k …</c> or <c>--all</c>).</summary>
    private async Task<int> RemovalAsync(ModuleRemovalCommand c, CancellationToken ct)
    {
        var mv = RequireModule(c.Module, c.Kind switch
        {
            DkmsAction.Uninstall => "uninstall",
            DkmsAction.Unbuild => "unbuild",
            _ => "remove",
        });
        engine.RequireAdded(mv);
        if (c.Kind == DkmsAction.Uninstall)
        {
            RequireRoot();
        }
        else
        {
            RequireWritableTree();
        }

        var options = c.Options.Engine with { AllKernels = c.All };
        var targets = TargetSpec.Resolve(c.Targets, c.All, engine.RunningKernel, () => engine.BuiltTargets(mv));
        var code = c.Kind switch
        {
            DkmsAction.Uninstall => await engine.UninstallAsync(mv, targets, options, ct).ConfigureAwait(false),
            DkmsAction.Unbuild => await engine.UnbuildAsync(mv, targets, options, ct).ConfigureAwait(false),
            _ => await engine.RemoveAsync(mv, targets, options, ct).ConfigureAwait(false),
        };
        if (code == 0)
        {
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary><c>autoinstall</c> and <c>kernel_postinst</c> for one kernel.</summary>
    private async Task<int> AutoinstallAsync(AutoinstallCommand c, CancellationToken ct)
    {
        RequireRoot();
        return await engine.AutoinstallAsync(TargetSpec.Resolve(c.Target, engine.RunningKernel), c.Options.Engine, ct).ConfigureAwait(false);
    }

    /// <summary><c>kernel_prerm</c> and <c>kernel_preinst</c> for one kernel.</summary>
    private async Task<int> RemoveKernelAsync(KernelRemovalCommand c, CancellationToken ct)
    {
        RequireRoot();
        var target = TargetSpec.Resolve(c.Target, engine.RunningKernel);
        return await engine.KernelRemoveAsync(target, c.OnlyAutoinstall, c.Options.Engine, ct).ConfigureAwait(false);
    }

    /// <summary><c>match --templatekernel T -k K [module]</c>.</summary>
    private async Task<int> MatchAsync(MatchCommand c, CancellationToken ct)
    {
        RequireRoot();
        if (string.IsNullOrEmpty(c.TemplateKernel))
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, M.MatchUsage());
        }

        var target = TargetSpec.Resolve(c.Target, engine.RunningKernel);
        var template = new KernelTarget(NameValidator.Require(c.TemplateKernel, "kernel version"), target.Arch);
        var module = string.IsNullOrEmpty(c.Module) ? null : NameValidator.Require(c.Module, "module name");
        return await engine.MatchAsync(template, target, module, c.Options.Engine, ct).ConfigureAwait(false);
    }

    /// <summary><c>mktarball</c>.</summary>
    private async Task<CommandOutcome> MkTarballAsync(MkTarballCommand c, CancellationToken ct)
    {
        var mv = RequireModule(c.Module, "mktarball");
        engine.RequireAdded(mv);
        var targets = TargetSpec.Resolve(c.Targets, c.All, engine.RunningKernel, () => engine.BuiltTargets(mv));
        var archive = await engine.MakeTarballAsync(mv, targets, string.IsNullOrEmpty(c.Archive) ? null : c.Archive, c.SourceOnly, c.BinariesOnly, ct)
            .ConfigureAwait(false);
        return new CommandOutcome(0, archive);
    }

    /// <summary><c>ldtarball</c>.</summary>
    private async Task<int> LdTarballAsync(LdTarballCommand c, CancellationToken ct)
    {
        if (c.Options.Engine.Force && !SystemInfo.IsRoot())
        {
            throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, M.NotRootForForce());
        }

        RequireWritableTree();
        if (c.Archive.Length == 0)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, 2, M.ArchiveNotGiven());
        }

        return await engine.LoadTarballAsync(Path.GetFullPath(c.Archive), c.Options.Engine, ct).ConfigureAwait(false);
    }

    /// <summary>dkms's check_module_args: m/v must be given, else its usage lines for <paramref name="action"/>.</summary>
    private ModuleRef RequireModule(ModuleArg? module, string action)
    {
        if (module is not { IsComplete: true })
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
