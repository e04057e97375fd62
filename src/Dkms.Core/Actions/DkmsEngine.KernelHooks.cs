using Dkms.Core.Errors;
using Dkms.Core.Tree;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>kernel_prerm -k K</c> (every module built for K) and <c>kernel_preinst -k K</c> (AUTOINSTALL ones):
    /// unbuilds each, then runs depmod once for the kernel and prints its line once (dkms prints the line but
    /// runs nothing, §13.2).
    /// </summary>
    /// <returns>0, or 14 when a module failed.</returns>
    public async Task<int> KernelRemoveAsync(KernelTarget t, bool onlyAutoinstall, ActionOptions options, CancellationToken ct = default)
    {
        var failed = false;
        var uninstalledAny = false;
        foreach (var (m, v) in ListVersions())
        {
            if (!IsAdded(m, v) || !State.IsBuilt(m, v, t.Kernel, t.Arch))
            {
                continue;
            }

            var mv = new ModuleRef(m, v);
            try
            {
                if (onlyAutoinstall && !(await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false)).Autoinstall)
                {
                    continue;
                }

                _out.ErrLine(M.RemovingFromKernel(mv, t));
                await using (await LockAsync(m, ct).ConfigureAwait(false))
                {
                    await ObservedUnitAsync(mv, t, async () =>
                    {
                        if (IsInstalled(m, v, t.Kernel, t.Arch))
                        {
                            await UninstallWithLockHeldAsync(mv, t, options with { DeferDepmod = true }, ct).ConfigureAwait(false);
                            uninstalledAny = true;
                        }
                        else
                        {
                            _out.Line(M.NotInstalled(mv, t));
                        }

                        Unbuild(mv, t);
                    }).ConfigureAwait(false);
                }
            }
            catch (DkmsException e)
            {
                Report(e);
                failed = true;
            }

            if (!onlyAutoinstall && M.BlankLineAfterEachKernelPrermModule)
            {
                _out.Line();
            }
        }

        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        if (uninstalledAny && !Directory.Exists(kernelDir))
        {
            await DepmodAsync(t.Kernel, options with { NoDepmod = true }, ct).ConfigureAwait(false); // the line only: nothing to index
        }
        else if (uninstalledAny)
        {
            await DepmodAsync(t.Kernel, options, ct).ConfigureAwait(false);
            foreach (var dir in FileWalker.Directories(kernelDir))
            {
                if (!Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
        }

        return failed ? DkmsExitCode.KernelRemoveFailed : 0;
    }
}
