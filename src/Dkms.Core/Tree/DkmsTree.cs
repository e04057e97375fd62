using Dkms.Core.Framework;

namespace Dkms.Core.Tree;

/// <summary>The paths of dkms's state tree (DKMS-SPEC §6.1) for one set of roots.</summary>
public sealed class DkmsTree(DkmsSettings settings)
{
    public DkmsSettings Settings { get; } = settings;

    public string Root => Settings.DkmsTree;

    public string ModuleDir(string m) => Path.Combine(Root, m);

    public string VersionDir(string m, string v) => Path.Combine(Root, m, v);

    /// <summary>The <c>source</c> link whose target makes m/v "added".</summary>
    public string SourceLink(string m, string v) => Path.Combine(Root, m, v, "source");

    /// <summary>The shared build directory (dkms.conf MAKE lines name it, so it cannot move).</summary>
    public string BuildDir(string m, string v) => Path.Combine(Root, m, v, "build");

    /// <summary>
    /// Present while m/v is added only because dkmsd found its source tree on its own: a later <c>add</c> of the same
    /// tree (a package's postinst, a user following a README) takes it over instead of failing. dkms skips dot names.
    /// </summary>
    public string AutoAddedMarker(string m, string v) => Path.Combine(Root, m, v, ".dkmsd-auto-added");

    public string KernelDir(string m, string v, string k) => Path.Combine(Root, m, v, k);

    /// <summary>The published build result for a kernel/arch (<c>module/</c> and <c>log/</c> inside).</summary>
    public string BuiltDir(string m, string v, string k, string a) => Path.Combine(Root, m, v, k, a);

    public string BuiltModuleDir(string m, string v, string k, string a) => Path.Combine(BuiltDir(m, v, k, a), "module");

    public string BuiltLogDir(string m, string v, string k, string a) => Path.Combine(BuiltDir(m, v, k, a), "log");

    /// <summary>The link <c>kernel-k-a -> v/k/a</c> that marks m/v installed on k/a.</summary>
    public string InstalledLink(string m, string k, string a) => Path.Combine(Root, m, $"kernel-{k}-{a}");

    public string OriginalModuleDir(string m, string k, string a) => Path.Combine(Root, m, "original_module", k, a);

    /// <summary>The module's source directory in the source tree (<c>/usr/src/m-v</c>).</summary>
    public string SourceDir(string m, string v) => Path.Combine(Settings.SourceTree, $"{m}-{v}");

    /// <summary>The kernel's directory in the install tree (<c>/lib/modules/k</c>).</summary>
    public string InstallKernelDir(string k) => Path.Combine(Settings.InstallTree, k);

    /// <summary>Lock files live in a hidden directory that dkms's <c>T/*/*</c> globs never see.</summary>
    public string LockDir => Path.Combine(Root, ".locks");

    /// <summary>True when a directory name under m/v can be a kernel release (digits, then a dot): not <c>source</c>, <c>build</c>, <c>tarball</c>.</summary>
    public static bool LooksLikeKernel(string name) =>
        name.Length > 1 && char.IsAsciiDigit(name[0]) && name.SkipWhile(char.IsAsciiDigit).FirstOrDefault() == '.';
}
