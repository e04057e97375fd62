namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// Temporary dkms, source and install trees and config dir, with the real headers linked in as
/// <c>&lt;install_tree&gt;/&lt;kernel&gt;/build</c>. Nothing outside <see cref="Root"/> is written.
/// </summary>
internal sealed class TestTrees : IDisposable
{
    public TestTrees(bool withHeaders = true)
    {
        Root = Directory.CreateTempSubdirectory("dkmsd-it-").FullName;
        File.SetUnixFileMode(Root, (UnixFileMode)Convert.ToInt32("755", 8)); // as /var/lib/dkms: the build user reaches its build dir
        Directory.CreateDirectory(DkmsTree);
        Directory.CreateDirectory(SourceTree);
        Directory.CreateDirectory(EtcDir);
        Directory.CreateDirectory(Packages);
        File.WriteAllText(FrameworkConf, string.Empty);
        Directory.CreateDirectory(KernelDir);
        if (withHeaders)
        {
            Directory.CreateSymbolicLink(Path.Combine(KernelDir, "build"), KernelHeaders.Dir);
        }
    }

    public string Root { get; }

    public string Kernel => KernelHeaders.Kernel;

    public string DkmsTree => Path.Combine(Root, "dkms");

    public string SourceTree => Path.Combine(Root, "src");

    public string InstallTree => Path.Combine(Root, "modules");

    public string KernelDir => Path.Combine(InstallTree, Kernel);

    /// <summary>Where the installed modules land on Debian.</summary>
    public string UpdatesDir => Path.Combine(KernelDir, "updates", "dkms");

    public string EtcDir => Path.Combine(Root, "etc");

    public string FrameworkConf => Path.Combine(EtcDir, "framework.conf");

    /// <summary>Where module sources are written before <c>add</c> copies them to the source tree.</summary>
    public string Packages => Path.Combine(Root, "packages");

    public string[] TreeArgs =>
        ["--dkmstree", DkmsTree, "--sourcetree", SourceTree, "--installtree", InstallTree, "--framework-conf", FrameworkConf];

    /// <summary>Runs dkmsctl on these trees with <c>-j 2</c>.</summary>
    public Task<CliResult> RunAsync(params string[] args) => DkmsCtl.RunAsync([.. TreeArgs, "-j", "2", .. args]);

    public Task<CliResult> RunWithEnvAsync(IReadOnlyDictionary<string, string> env, params string[] args) =>
        DkmsCtl.RunAsync([.. TreeArgs, "-j", "2", .. args], environment: env);

    /// <summary>Writes a module source under <see cref="Packages"/>.</summary>
    public ModuleSource Module(string name, string version = "1.0") => new(Path.Combine(Packages, $"{name}-{version}"), name, version);

    /// <summary>Writes a module straight into the source tree (as a package would) and returns it.</summary>
    public ModuleSource SourceTreeModule(string name, string version = "1.0") => new(Path.Combine(SourceTree, $"{name}-{version}"), name, version);

    public string BuiltDir(string m, string v) => Path.Combine(DkmsTree, m, v, Kernel, ArchName);

    public static string ArchName => Dkms.Core.Platform.SystemInfo.MachineArch();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
