using Dkms.Core.Errors;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>match --templatekernel T -k K [module]</c>: installs on K every module version installed on T
    /// (dkms's own has not worked since its status format changed, §13.3).
    /// </summary>
    public async Task<int> MatchAsync(KernelTarget template, KernelTarget target, string? module, ActionOptions options, CancellationToken ct = default)
    {
        if (template.Kernel == target.Kernel)
        {
            throw new DkmsException(DkmsErrorKind.InvalidArgument, DkmsExitCode.BadArgument, M.MatchSameKernel());
        }

        if (module is not null && !ListVersions(module).Any())
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.NotInTree, M.MatchModuleNotInTree(module));
        }

        M.Matching(_out, target, template);
        var matches = ListVersions(module)
            .Where(mv => IsAdded(mv.Module, mv.Version) && IsInstalled(mv.Module, mv.Version, template.Kernel, template.Arch))
            .Select(mv => new ModuleRef(mv.Module, mv.Version))
            .ToList();
        if (matches.Count == 0)
        {
            M.NothingToMatch(_out);
            return 0;
        }

        RequireHeaders(target, options);
        var result = 0;
        foreach (var mv in matches)
        {
            M.MatchingModule(_out, mv);
            // dkms's maybe_build_module, then maybe_install_module.
            var code = await ForEachKernelLockingAsync(mv, [target], async t =>
            {
                await BuildWithLockHeldAsync(mv, t, options, ct).ConfigureAwait(false);
                return await InstallWithLockHeldAsync(mv, t, options, ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            if (result == 0)
            {
                result = code;
            }
        }

        return result;
    }

    /// <summary>
    /// <c>modprobe_on_install</c>: loads the modules the running system's devices ask for, and only when
    /// the install was for the running kernel (upstream's rule; a module for another kernel cannot load).
    /// </summary>
    private async Task ModprobeOnInstallAsync(KernelTarget t, CancellationToken ct)
    {
        if (!Settings.ModprobeOnInstall || t.Kernel != RunningKernel)
        {
            return;
        }

        const string Command = "find /sys/devices -name modalias -print0 | xargs -0 cat | sort -u | xargs modprobe -a -b -q; "
                               + "if [ -e /lib/systemd/system/systemd-modules-load.service ]; then systemctl restart systemd-modules-load.service; fi";
        await _ctx.Processes.RunShellAsync(Command, "/", null, TimeSpan.FromMinutes(2), null, ct).ConfigureAwait(false);
    }
}
