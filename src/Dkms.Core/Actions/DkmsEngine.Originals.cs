using Dkms.Core.Conf;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private const string OriginSuffix = ".origin";

    /// <summary>
    /// On the first install of a module on k/a, moves a pre-existing module of the same name out of the
    /// install tree into <c>&lt;dkms_tree&gt;/m/original_module/k/a/</c> with a <c>.origin</c> file naming where it was
    /// (upstream's behaviour; Debian's 3.0.10 skipped it), so uninstall can put it back.
    /// </summary>
    private void ArchiveOriginal(ModuleRef mv, KernelTarget t, ModuleSpec spec, string target)
    {
        var kernelDir = Tree.InstallKernelDir(t.Kernel);
        var store = Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (new FileInfo(Tree.InstalledLink(mv.Module, t.Kernel, t.Arch)).LinkTarget is not null)
        {
            if (Directory.Exists(store) && Directory.EnumerateFiles(store, spec.DestName + ".ko*").Any())
            {
                _out.Line("An original module was already stored during a previous install");
            }

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
            return;
        }

        Directory.CreateDirectory(store);
        var stored = Path.Combine(store, Path.GetFileName(original));
        _out.Line($"Found pre-existing {original}, archiving for uninstallation");
        File.WriteAllText(stored + OriginSuffix, original + "\n");
        File.Move(original, stored, overwrite: true);
    }

    /// <summary>Puts archived originals back where their <c>.origin</c> says (only inside the kernel's dir), then drops the archive.</summary>
    private void RestoreOriginals(ModuleRef mv, KernelTarget t)
    {
        var store = Tree.OriginalModuleDir(mv.Module, t.Kernel, t.Arch);
        if (!Directory.Exists(store))
        {
            return;
        }

        var kernelDir = Path.GetFullPath(Tree.InstallKernelDir(t.Kernel));
        foreach (var origin in Directory.EnumerateFiles(store, "*" + OriginSuffix))
        {
            var stored = origin[..^OriginSuffix.Length];
            var back = File.ReadAllText(origin).Trim();
            if (!File.Exists(stored))
            {
                continue;
            }

            if (!Path.IsPathRooted(back) || !PathGuard.IsWithin(kernelDir, Path.GetFullPath(back)) || back.Split('/').Contains(".."))
            {
                _out.Warn($"Bad original location {back}");
                continue;
            }

            _out.Line($"Restoring archived original module {back}");
            Directory.CreateDirectory(Path.GetDirectoryName(back)!);
            File.Move(stored, back, overwrite: true);
        }

        Directory.Delete(store, recursive: true);
        PruneEmptyDirectories(Path.GetDirectoryName(store)!, Tree.ModuleDir(mv.Module));
    }

    private static bool IsModuleFile(string fileName, string name) =>
        fileName == name + ".ko" || fileName == name + ".ko.gz" || fileName == name + ".ko.xz" || fileName == name + ".ko.zst";
}
