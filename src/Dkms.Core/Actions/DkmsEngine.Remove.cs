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
            CleanStaleStaging(versionDir);
            foreach (var t in targets)
            {
                await ObservedUnitAsync(mv, t, async () =>
                {
                    await MaybeUninstallAsync(mv, t, options, ct).ConfigureAwait(false);
                    MaybeUnbuild(mv, t);
                }).ConfigureAwait(false);
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

    /// <summary>Deletes <c>m/v/*/.tmp_*</c> staging left by an interrupted build, and empty kernel dirs.</summary>
    internal static void CleanStaleStaging(string versionDir)
    {
        if (!Directory.Exists(versionDir))
        {
            return;
        }

        foreach (var kernelDir in Directory.EnumerateDirectories(versionDir))
        {
            if (!Dkms.Core.Tree.DkmsTree.LooksLikeKernel(Path.GetFileName(kernelDir)) || new FileInfo(kernelDir).LinkTarget is not null)
            {
                continue; // never source/ (a link into the source tree) or build/
            }

            foreach (var tmp in Directory.EnumerateDirectories(kernelDir, ".tmp_*"))
            {
                Directory.Delete(tmp, recursive: true);
            }

            var name = Path.GetFileName(kernelDir);
            if (name != "build" && name != "source" && !Directory.EnumerateFileSystemEntries(kernelDir).Any())
            {
                Directory.Delete(kernelDir);
            }
        }
    }
}
