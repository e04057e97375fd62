using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Output;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Install;

/// <summary>The kernel's own copies of a module that a dkms install displaced: archived on install, put back on uninstall.</summary>
internal sealed class OriginalModules(DkmsTree tree, DkmsOutput output)
{
    private const string OriginSuffix = ".origin";

    private DkmsMessages M => output.Messages;

    /// <summary>
    /// On the first install of a module on k/a, moves a pre-existing module of the same name out of the
    /// install tree into <c>&lt;dkms_tree&gt;/m/original_module/k/a/</c> with a <c>.origin</c> file naming where it was
    /// (upstream's behaviour; Debian's 3.0.10 skipped it), so uninstall can put it back. Prints what it found.
    /// </summary>
    public void Archive(ModuleRef mv, KernelTarget t, ModuleSpec spec, string target)
    {
        var kernelDir = tree.InstallKernelDir(t.Kernel);
        var store = tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (new FileInfo(tree.InstalledLink(mv.Module, t.Kernel, t.Arch)).LinkTarget is not null)
        {
            // Some version is installed already: its install decided about the original.
            output.LineIf(Directory.Exists(store) && Directory.EnumerateFiles(store, spec.DestName + ".ko*").Any()
                ? M.OriginalAlreadyStored
                : M.OriginalNeverExisted);
            return;
        }

        var candidates = new[] { "extra", "updates", spec.ConfDestLocation.TrimStart('/') }
            .Select(d => Path.Combine(kernelDir, d))
            .Select(d => ModuleFiles.Find(d, spec.DestName))
            .Concat(FileWalker.Files(kernelDir, n => ModuleFiles.IsFileOf(n, spec.DestName)).Order(StringComparer.Ordinal));
        // 3.2+ take a module already at the destination (another package's install of that name) for the original too.
        var atDestination = tree.Settings.Profile.ArchivesModuleAtDestination;
        var original = candidates.FirstOrDefault(c => c is not null && (atDestination || Path.GetFullPath(c) != Path.GetFullPath(target))
                                                      && PathGuard.IsWithin(kernelDir, Path.GetFullPath(c)));
        if (original is null)
        {
            // A copy already at the destination (a version whose install was refused, say) is what dkms takes for the
            // original here, and on Debian says nothing more of it; it is overwritten, never archived.
            if (ModuleFiles.Find(Path.GetDirectoryName(target)!, spec.DestName) is null)
            {
                output.LineIf(M.NoOriginal);
            }

            return;
        }

        Directory.CreateDirectory(store);
        var stored = Path.Combine(store, Path.GetFileName(original));
        M.OriginalArchived(output, original, store);
        File.WriteAllText(stored + OriginSuffix, original + "\n");
        AtomicFiles.MoveDurably(original, stored);
    }

    /// <summary>
    /// Puts back the archived originals that <paramref name="which"/> selects, where their <c>.origin</c> says (only
    /// inside the kernel's dir); ones archived by older dkms without <c>.origin</c> go to DEST_MODULE_LOCATION.
    /// </summary>
    /// <returns>How many were put back.</returns>
    public int Restore(ModuleRef mv, KernelTarget t, DkmsConf conf, Func<string, bool> which)
    {
        var store = tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (!Directory.Exists(store))
        {
            return 0;
        }

        var restored = 0;
        var kernelDir = Path.GetFullPath(tree.InstallKernelDir(t.Kernel));
        var realKernelDir = PathGuard.RealPath(kernelDir); // /lib is a link to /usr/lib on merged-/usr systems
        foreach (var stored in Directory.EnumerateFiles(store)
                     .Where(f => !f.EndsWith(OriginSuffix, StringComparison.Ordinal) && which(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList())
        {
            var origin = stored + OriginSuffix;
            string back;
            if (File.Exists(origin))
            {
                back = File.ReadAllText(origin).Trim();
            }
            else if (conf.Modules.FirstOrDefault(s => ModuleFiles.IsFileOf(Path.GetFileName(stored), s.DestName)) is { } spec)
            {
                back = Path.Combine(kernelDir, spec.ConfDestLocation.TrimStart('/'), Path.GetFileName(stored)); // pre-3.1.7 archive
            }
            else
            {
                continue;
            }

            if (!Path.IsPathRooted(back) || back.Split('/').Contains("..") || !PathGuard.IsWithin(realKernelDir, PathGuard.RealPath(back)))
            {
                output.Warn(M.BadOriginalLocation(back));
                continue;
            }

            M.OriginalRestored(output, back);
            Directory.CreateDirectory(Path.GetDirectoryName(back)!);
            AtomicFiles.MoveDurably(stored, back);
            File.Delete(origin);
            restored++;
        }

        return restored;
    }

    /// <summary>Drops k/a's original_module store once it is empty (what could not be restored stays, rather than lose a module).</summary>
    /// <returns>True when the store was there and is gone now.</returns>
    public bool DropEmpty(ModuleRef mv, KernelTarget t)
    {
        var store = tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (!Directory.Exists(store) || Directory.EnumerateFileSystemEntries(store).Any())
        {
            return false;
        }

        Directory.Delete(store);
        StaleWork.PruneEmptyDirectories(Path.GetDirectoryName(store)!, tree.ModuleDir(mv.Module));
        return true;
    }
}
