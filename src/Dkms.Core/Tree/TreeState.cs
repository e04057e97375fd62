using Dkms.Core.Actions;
using Dkms.Core.Validation;
using Dkms.Core.Versioning;

namespace Dkms.Core.Tree;

/// <summary>
/// What the dkms tree says, read from disk on every call: added, broken, built, installed, and the
/// module/version/kernel/arch directories (the one walker of <c>m/v/k/a</c>). Prints nothing, takes no lock.
/// </summary>
public sealed class TreeState(DkmsTree tree)
{
    public DkmsTree Tree { get; } = tree;

    /// <summary>True when m/v has a <c>source</c> link (or, as 3.0.10, a directory) that leads to a directory.</summary>
    public bool IsAdded(string m, string v) => Directory.Exists(Tree.SourceLink(m, v));

    /// <summary>Upstream's broken state: the version directory exists but its source is gone.</summary>
    public bool IsBroken(string m, string v)
    {
        var versionDir = Tree.VersionDir(m, v);
        if (!Directory.Exists(versionDir) || IsAdded(m, v))
        {
            return false;
        }

        var link = new FileInfo(Tree.SourceLink(m, v));
        return link.LinkTarget is not null || Directory.Exists(Tree.SourceDir(m, v));
    }

    /// <summary>True when <c>module/</c> of k/a exists (the build was published).</summary>
    public bool IsBuilt(string m, string v, string k, string a) => Directory.Exists(Tree.BuiltModuleDir(m, v, k, a));

    /// <summary>True when <c>kernel-k-a</c> resolves to this version's k/a build.</summary>
    public bool IsInstalled(string m, string v, string k, string a)
    {
        var link = Tree.InstalledLink(m, k, a);
        if (new FileInfo(link).LinkTarget is null)
        {
            return false;
        }

        var target = PathGuard.RealPath(link);
        return target == PathGuard.RealPath(Tree.BuiltDir(m, v, k, a)) && IsBuilt(m, v, k, a);
    }

    /// <summary>True when some version of <paramref name="module"/> is installed on k/a.</summary>
    public bool IsAnyVersionInstalled(string module, KernelTarget t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (NameValidator.Problem(module) is not null)
        {
            return false;
        }

        var moduleDir = Tree.ModuleDir(module);
        return Directory.Exists(moduleDir) && Directory.EnumerateDirectories(moduleDir)
            .Select(Path.GetFileName)
            .Any(v => v is not null && v != "original_module" && !v.StartsWith('.') && IsInstalled(module, v, t.Kernel, t.Arch));
    }

    /// <summary>Every module/version directory of the tree, in glob (C locale) order.</summary>
    public IEnumerable<(string Module, string Version)> ListVersions(string? module = null, string? version = null)
    {
        if (!Directory.Exists(Tree.Root))
        {
            yield break;
        }

        foreach (var mdir in Directory.EnumerateDirectories(Tree.Root).Order(StringComparer.Ordinal))
        {
            var m = Path.GetFileName(mdir);
            if (m.StartsWith('.') || (module is not null && m != module) || NameValidator.Problem(m) is not null)
            {
                continue;
            }

            foreach (var vdir in Directory.EnumerateFileSystemEntries(mdir).Order(StringComparer.Ordinal))
            {
                var v = Path.GetFileName(vdir);
                if (v.StartsWith('.') || v == "original_module" || IsKernelLinkName(v) || (version is not null && v != version)
                    || NameValidator.Problem(v) is not null || !Directory.Exists(vdir) && new FileInfo(vdir).LinkTarget is null)
                {
                    continue;
                }

                yield return (m, v);
            }
        }
    }

    /// <summary>
    /// The kernel directories of m/v (named like a kernel release, or exactly <paramref name="kernel"/> when given),
    /// in C locale order: never <c>source</c> or <c>build</c>.
    /// </summary>
    public IEnumerable<string> KernelDirectories(string m, string v, string? kernel = null)
    {
        var versionDir = Tree.VersionDir(m, v);
        if (!Directory.Exists(versionDir))
        {
            yield break;
        }

        foreach (var kdir in Directory.EnumerateDirectories(versionDir).Order(StringComparer.Ordinal))
        {
            var k = Path.GetFileName(kdir);
            if (kernel is not null ? k == kernel : DkmsTree.LooksLikeKernel(k))
            {
                yield return kdir;
            }
        }
    }

    /// <summary>
    /// The <c>k/a</c> directories of m/v (hidden staging excluded), in C locale order; <paramref name="filter"/> keeps
    /// one kernel, and one arch unless its arch is empty.
    /// </summary>
    public IEnumerable<KernelTarget> KernelDirs(string m, string v, KernelTarget? filter = null)
    {
        foreach (var kdir in KernelDirectories(m, v, filter?.Kernel))
        {
            foreach (var adir in Directory.EnumerateDirectories(kdir).Order(StringComparer.Ordinal))
            {
                var a = Path.GetFileName(adir);
                if (!a.StartsWith('.') && (filter is null || filter.Arch.Length == 0 || filter.Arch == a))
                {
                    yield return new KernelTarget(Path.GetFileName(kdir), a);
                }
            }
        }
    }

    /// <summary>Kernels m/v is built for (<c>--all</c>), in <c>sort -V</c> order.</summary>
    public IReadOnlyList<KernelTarget> BuiltTargets(ModuleRef mv)
    {
        ArgumentNullException.ThrowIfNull(mv);
        return KernelDirs(mv.Module, mv.Version)
            .Where(t => Directory.Exists(Tree.BuiltModuleDir(mv.Module, mv.Version, t.Kernel, t.Arch)))
            .OrderBy(t => $"{t.Kernel}/{t.Arch}", VersionOrder.Natural)
            .ToList();
    }

    private static bool IsKernelLinkName(string name) => name.StartsWith("kernel-", StringComparison.Ordinal) && name.IndexOf('-', 7) > 0;
}
