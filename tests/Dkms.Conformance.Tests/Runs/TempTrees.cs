using Dkms.Conformance.Tests.Host;

namespace Dkms.Conformance.Tests.Runs;

/// <summary>
/// A private set of dkms trees for one run: dkms tree, source tree, install tree with
/// <c>&lt;k&gt;/build</c> linked to the real headers, an empty framework.conf, and the two directories a
/// <see cref="MountShield"/> shows as <c>/var/lib/dkms</c> and <c>/lib/modules</c>.
/// </summary>
internal sealed class TempTrees
{
    private TempTrees(string root, TestKernel kernel)
    {
        Root = root;
        DkmsTree = Directory.CreateDirectory(Path.Combine(root, "dkms")).FullName;
        SourceTree = Directory.CreateDirectory(Path.Combine(root, "source")).FullName;
        InstallTree = Directory.CreateDirectory(Path.Combine(root, "install")).FullName;
        KernelDir = Directory.CreateDirectory(Path.Combine(InstallTree, kernel.Version)).FullName;
        Directory.CreateSymbolicLink(Path.Combine(KernelDir, "build"), kernel.HeadersDir);
        FrameworkConf = Path.Combine(root, "framework.conf");
        File.WriteAllText(FrameworkConf, string.Empty);
        ShieldStateDir = Directory.CreateDirectory(Path.Combine(root, "shield", "var-lib-dkms")).FullName;
        ShieldModulesDir = Directory.CreateDirectory(Path.Combine(root, "shield", "lib-modules")).FullName;
        var shieldKernel = Directory.CreateDirectory(Path.Combine(ShieldModulesDir, kernel.Version)).FullName;
        Directory.CreateSymbolicLink(Path.Combine(shieldKernel, "build"), kernel.HeadersDir);
    }

    public string Root { get; }

    public string DkmsTree { get; }

    public string SourceTree { get; }

    public string InstallTree { get; }

    /// <summary><c>&lt;install tree&gt;/&lt;k&gt;</c>.</summary>
    public string KernelDir { get; }

    public string FrameworkConf { get; }

    public string ShieldStateDir { get; }

    public string ShieldModulesDir { get; }

    public static TempTrees Create(string root, TestKernel kernel) => new(Directory.CreateDirectory(root).FullName, kernel);

    /// <summary>Replaces the tree roots in <paramref name="text"/> by placeholders, so two runs' output compares.</summary>
    public string Normalise(string text) => text
        .Replace(DkmsTree, "<dkmstree>", StringComparison.Ordinal)
        .Replace(SourceTree, "<sourcetree>", StringComparison.Ordinal)
        .Replace(InstallTree, "<installtree>", StringComparison.Ordinal)
        .Replace(Root, "<root>", StringComparison.Ordinal);

    /// <summary>
    /// What was written under the shield directories, as paths on the machine (e.g. <c>/var/lib/dkms/mok.key</c>);
    /// the <c>&lt;k&gt;/build</c> link this class made is not counted.
    /// </summary>
    public IReadOnlyList<string> ShieldWrites() =>
    [
        .. TreeFiles.Walk(ShieldStateDir).Select(p => MountShield.StateDir + "/" + p),
        .. TreeFiles.Walk(ShieldModulesDir).Select(p => MountShield.ModulesDir + "/" + p),
    ];
}
