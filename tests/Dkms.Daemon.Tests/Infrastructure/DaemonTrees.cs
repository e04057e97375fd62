namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>
/// Temporary dkms, source and install trees, framework.conf and socket directory. The root is 0755 so a
/// test can reach the socket as another user; nothing outside it is written.
/// </summary>
internal sealed class DaemonTrees : IDisposable
{
    public DaemonTrees()
    {
        Root = Directory.CreateTempSubdirectory("dkmsd-dt-").FullName;
        File.SetUnixFileMode(Root, (UnixFileMode)Convert.ToInt32("755", 8));
        Directory.CreateDirectory(DkmsTree);
        Directory.CreateDirectory(SourceTree);
        Directory.CreateDirectory(InstallTree);
        Directory.CreateDirectory(Path.GetDirectoryName(FrameworkConf)!);
        File.WriteAllText(FrameworkConf, string.Empty);
    }

    public string Root { get; }

    public string DkmsTree => Path.Combine(Root, "dkms");

    public string SourceTree => Path.Combine(Root, "src");

    public string InstallTree => Path.Combine(Root, "modules");

    public string FrameworkConf => Path.Combine(Root, "etc", "framework.conf");

    public string Socket => Path.Combine(Root, "run", "dkmsd.sock");

    /// <summary>A dpkg database of the test's own (absent unless a test makes it), never the machine's.</summary>
    public string DpkgAdminDir => Path.Combine(Root, "dpkg");

    /// <summary>The tree options dkmsd and dkmsctl share.</summary>
    public string[] TreeArgs =>
        ["--dkmstree", DkmsTree, "--sourcetree", SourceTree, "--installtree", InstallTree, "--framework-conf", FrameworkConf];

    public string[] DaemonArgs => ["--socket", Socket, "--dpkg-admindir", DpkgAdminDir, .. TreeArgs];

    /// <summary>Runs the real dkmsctl (in-process engine) on these trees.</summary>
    public Task<ProcessResult> DkmsCtlAsync(params string[] args) =>
        Processes.RunAsync(Processes.DkmsCtl, [.. TreeArgs, "--offline", .. args], new Dictionary<string, string> { ["parallel_jobs"] = "1" });

    /// <summary>Writes a minimal module source at <c>&lt;source_tree&gt;/name-version</c>.</summary>
    public void SourceModule(string name, string version)
    {
        var dir = Path.Combine(SourceTree, $"{name}-{version}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m := {name}.o\n");
        File.WriteAllText(Path.Combine(dir, $"{name}.c"), "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n");
        File.WriteAllText(Path.Combine(dir, "dkms.conf"),
            $"PACKAGE_NAME=\"{name}\"\nPACKAGE_VERSION=\"{version}\"\nBUILT_MODULE_NAME[0]=\"{name}\"\nDEST_MODULE_LOCATION[0]=\"/kernel/extra\"\n");
    }

    /// <summary>
    /// The repository's example module (a real kernel module) as <c>&lt;source_tree&gt;/name-version</c>, its .ko named
    /// after the package (so several can be installed side by side); <paramref name="extraConf"/> is appended to its
    /// dkms.conf, <paramref name="brokenSource"/> breaks its C source.
    /// </summary>
    public string ExampleModule(string name = "hello-dkms", string version = "1.0", string extraConf = "", bool brokenSource = false)
    {
        var from = Path.Combine(Processes.RepositoryRoot, "examples", "hello-dkms-1.0");
        var dir = Path.Combine(SourceTree, $"{name}-{version}");
        var ko = name.Replace('-', '_');
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m := {ko}.o\n");
        File.Copy(Path.Combine(from, "hello_dkms.c"), Path.Combine(dir, ko + ".c"));
        var conf = File.ReadAllText(Path.Combine(from, "dkms.conf"))
            .Replace("PACKAGE_NAME=\"hello-dkms\"", $"PACKAGE_NAME=\"{name}\"", StringComparison.Ordinal)
            .Replace("PACKAGE_VERSION=\"1.0\"", $"PACKAGE_VERSION=\"{version}\"", StringComparison.Ordinal)
            .Replace("BUILT_MODULE_NAME[0]=\"hello_dkms\"", $"BUILT_MODULE_NAME[0]=\"{ko}\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "dkms.conf"), conf + extraConf);
        if (brokenSource)
        {
            File.AppendAllText(Path.Combine(dir, ko + ".c"), "\nstatic int broken(void) { return undeclared_thing; }\n");
        }

        return dir;
    }

    /// <summary>A script in a module's source directory, for PRE_BUILD, PRE_INSTALL and friends.</summary>
    public static void Script(string moduleDir, string name, string body)
    {
        var path = Path.Combine(moduleDir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    /// <summary>A version whose source is gone: dkms status reports it broken.</summary>
    public void BrokenModule(string name, string version)
    {
        var dir = Path.Combine(DkmsTree, name, version);
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "source"), Path.Combine(Root, "gone", $"{name}-{version}"));
    }

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
