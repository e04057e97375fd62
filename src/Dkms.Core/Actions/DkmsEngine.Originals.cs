using Dkms.Core.Conf;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private const string OriginSuffix = ".origin";

    /// <summary>
    /// On the first install of a module on k/a, moves a pre-existing module of the same name out of the
    /// install tree into <c>&lt;dkms_tree&gt;/m/original_module/k/a/</c> with a <c>.origin</c> file naming where it was
    /// (upstream's behaviour; Debian's 3.0.10 skipped it), so uninstall can put it back. Prints what it found.
    /// </summary>
    private void ArchiveOriginal(ModuleRef mv, KernelTarget t, ModuleSpec spec, string target)
    {
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        var store = Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (new FileInfo(Tree.InstalledLink(mv.Module, t.Kernel, t.Arch)).LinkTarget is not null)
        {
            // Some version is installed already: its install decided about the original.
            _out.Line(Directory.Exists(store) && Directory.EnumerateFiles(store, spec.DestName + ".ko*").Any()
                ? M.OriginalAlreadyStored
                : M.OriginalNeverExisted);
            return;
        }

        var candidates = new[] { "extra", "updates", spec.ConfDestLocation.TrimStart('/') }
            .Select(d => Path.Combine(kernelDir, d))
            .Select(d => BuiltFile(d, spec.DestName))
            .Concat(Dkms.Core.Tree.FileWalker.Files(kernelDir, n => IsModuleFile(n, spec.DestName)).Order(StringComparer.Ordinal));
        var original = candidates.FirstOrDefault(c => c is not null && Path.GetFullPath(c) != Path.GetFullPath(target)
                                                      && PathGuard.IsWithin(kernelDir, Path.GetFullPath(c)));
        if (original is null)
        {
            // A copy already at the destination (a version whose install was refused, say) is what dkms takes for the
            // original here, and on Debian says nothing more of it; it is overwritten, never archived.
            if (BuiltFile(Path.GetDirectoryName(target)!, spec.DestName) is null)
            {
                _out.Line(M.NoOriginal);
            }

            return;
        }

        Directory.CreateDirectory(store);
        var stored = Path.Combine(store, Path.GetFileName(original));
        M.OriginalArchived(_out, original, store);
        File.WriteAllText(stored + OriginSuffix, original + "\n");
        MoveDurably(original, stored);
    }

    /// <summary>
    /// Puts back the archived originals that <paramref name="which"/> selects, where their <c>.origin</c> says (only
    /// inside the kernel's dir); ones archived by older dkms without <c>.origin</c> go to DEST_MODULE_LOCATION.
    /// </summary>
    /// <returns>How many were put back.</returns>
    private int RestoreOriginals(ModuleRef mv, KernelTarget t, DkmsConf conf, Func<string, bool> which)
    {
        var store = Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (!Directory.Exists(store))
        {
            return 0;
        }

        var restored = 0;
        var kernelDir = Path.GetFullPath(Tree.InstallKernelDir(t.Kernel));
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
            else if (conf.Modules.FirstOrDefault(s => IsModuleFile(Path.GetFileName(stored), s.DestName)) is { } spec)
            {
                back = Path.Combine(kernelDir, spec.ConfDestLocation.TrimStart('/'), Path.GetFileName(stored)); // pre-3.1.7 archive
            }
            else
            {
                continue;
            }

            if (!Path.IsPathRooted(back) || back.Split('/').Contains("..") || !PathGuard.IsWithin(realKernelDir, PathGuard.RealPath(back)))
            {
                _out.Warn(M.BadOriginalLocation(back));
                continue;
            }

            M.OriginalRestored(_out, back);
            Directory.CreateDirectory(Path.GetDirectoryName(back)!);
            MoveDurably(stored, back);
            File.Delete(origin);
            restored++;
        }

        return restored;
    }

    /// <summary>Drops k/a's original_module store once it is empty (what could not be restored stays, rather than lose a module).</summary>
    /// <returns>True when the store was there and is gone now.</returns>
    private bool DropEmptyOriginals(ModuleRef mv, KernelTarget t)
    {
        var store = Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (!Directory.Exists(store) || Directory.EnumerateFileSystemEntries(store).Any())
        {
            return false;
        }

        Directory.Delete(store);
        PruneEmptyDirectories(Path.GetDirectoryName(store)!, Tree.ModuleDir(mv.Module));
        return true;
    }

    /// <summary>
    /// Moves a module so that a crash leaves it whole at one place or the other: a same-filesystem rename,
    /// else a flushed copy renamed into place before the source is removed (/var and /lib may be different filesystems).
    /// </summary>
    private static void MoveDurably(string from, string to)
    {
        var dir = Path.GetDirectoryName(to)!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(to)}.dkms-tmp-{Environment.ProcessId}");
        using (var input = File.OpenRead(from))
        using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            input.CopyTo(output);
            output.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(tmp, File.GetUnixFileMode(from));
        Libc.RenameOrThrow(tmp, to);
        Libc.FsyncDirectory(dir);
        File.Delete(from);
    }

    private static bool IsModuleFile(string fileName, string name) =>
        fileName == name + ".ko" || fileName == name + ".ko.gz" || fileName == name + ".ko.xz" || fileName == name + ".ko.zst";
}
