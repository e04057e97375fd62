using Dkms.Core.Tree;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private static readonly HashSet<string> KeptVersionEntries = new(StringComparer.Ordinal)
    {
        "build", "tarball", "driver_disk", "rpm", "deb", "source",
    };

    /// <summary>
    /// <c>remove m/v -k …|--all</c>: uninstalls and unbuilds each kernel, then deletes m/v from the dkms
    /// tree once no build is left. The source tree copy is never deleted.
    /// </summary>
    public async Task<int> RemoveAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default)
    {
        RequireAdded(mv);
        await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
        {
            var versionDir = Tree.VersionDir(mv.Module, mv.Version);
            StaleWork.CleanStaleStaging(State, mv.Module, mv.Version);
            foreach (var t in targets)
            {
                await ObservedUnitAsync(mv, t, async () =>
                {
                    await MaybeUninstallAsync(mv, t, options, ct).ConfigureAwait(false);
                    MaybeUnbuild(mv, t);
                }).ConfigureAwait(false);
                if (M.BlankLineAfterEachRemovedKernel)
                {
                    _out.Line();
                }
            }

            var others = Directory.EnumerateDirectories(versionDir).Select(Path.GetFileName)
                .Where(n => n is not null && !KeptVersionEntries.Contains(n));
            if (!others.Any())
            {
                _out.Line(M.DeletingModule(mv));
                Directory.Delete(versionDir, recursive: true);
                var moduleDir = Tree.ModuleDir(mv.Module);
                if (Directory.Exists(moduleDir) && !Directory.EnumerateFileSystemEntries(moduleDir).Any())
                {
                    Directory.Delete(moduleDir);
                }
            }
        }

        return 0;
    }
}
