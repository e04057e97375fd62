namespace Dkms.Bench.Trees;

/// <summary>
/// One private set of trees: dkms tree, source tree, install tree, an empty framework.conf, the directory the
/// shield shows as <c>/var/lib/dkms</c>, and the daemon's socket. Nothing outside <see cref="Root"/> is written.
/// </summary>
internal sealed class BenchTrees
{
    public BenchTrees(string root)
    {
        Root = Directory.CreateDirectory(root).FullName;
        Directory.CreateDirectory(DkmsTree);
        Directory.CreateDirectory(SourceTree);
        Directory.CreateDirectory(InstallTree);
        Directory.CreateDirectory(StateDir);
        Directory.CreateDirectory(Path.GetDirectoryName(Socket)!);
        Directory.CreateDirectory(Path.GetDirectoryName(FrameworkConf)!);
        File.WriteAllText(FrameworkConf, string.Empty);
    }

    public string Root { get; }

    public string DkmsTree => Path.Combine(Root, "dkms");

    public string SourceTree => Path.Combine(Root, "src");

    public string InstallTree => Path.Combine(Root, "modules");

    public string FrameworkConf => Path.Combine(Root, "etc", "framework.conf");

    /// <summary>Shown as /var/lib/dkms inside the shield (dkms's MOK key lands here).</summary>
    public string StateDir => Path.Combine(Root, "shield-var-lib-dkms");

    public string Socket => Path.Combine(Root, "run", "dkmsd.sock");

    public string[] TreeArgs =>
        ["--dkmstree", DkmsTree, "--sourcetree", SourceTree, "--installtree", InstallTree, "--framework-conf", FrameworkConf];

    /// <summary>dkms 3.0.10 has no framework.conf option: it reads the machine's /etc/dkms (read-only in the shield).</summary>
    public string[] DkmsArgs => ["--dkmstree", DkmsTree, "--sourcetree", SourceTree, "--installtree", InstallTree];

    /// <summary>Links the headers as <c>&lt;install tree&gt;/&lt;kernel&gt;/build</c>.</summary>
    public void LinkHeaders(string kernel, string headersDir)
    {
        var dir = Directory.CreateDirectory(Path.Combine(InstallTree, kernel)).FullName;
        File.CreateSymbolicLink(Path.Combine(dir, "build"), headersDir);
    }
}
