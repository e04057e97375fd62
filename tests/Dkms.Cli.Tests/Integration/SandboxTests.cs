using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// Package code through the real dkmsctl, sandboxed by default (bubblewrap): a hostile dkms.conf and PRE_BUILD try
/// to write outside the build, read the MOK key and run as root; the module still builds and installs. With
/// <c>build_sandbox="none"</c> the same package runs as root, as with dkms, and dkmsctl says so.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    private readonly TestTrees _t = new();

    public void Dispose() => _t.Dispose();

    private string Outside => Path.Combine(_t.Root, "outside");

    private ModuleSource Hostile()
    {
        Directory.CreateDirectory(Outside);
        File.SetUnixFileMode(Outside, (UnixFileMode)Convert.ToInt32("777", 8)); // only the sandbox's read-only view stops a write
        var key = Path.Combine(_t.DkmsTree, "mok.key");
        return _t.Module("hostile")
            .Conf($"PRE_BUILD=\"probe.sh\"\n{{ echo conf > {Outside}/from-conf; }} 2>/dev/null")
            .File_("probe.sh", $$"""
                #!/bin/bash
                echo "uid=$(id -u)"
                { echo x > {{Outside}}/from-script; } 2>/dev/null && echo "wrote outside" || echo "outside read-only"
                grep -q PRIVATE {{key}} 2>/dev/null && echo "key read" || echo "key hidden"
                { echo x > probe-was-here; } 2>/dev/null && echo "build dir writable"

                """, executable: true);
    }

    [Fact]
    public async Task Build_HostilePackage_RunsAsTheBuildUser_WritesOnlyItsBuildDir_KeyHidden()
    {
        var module = Hostile();

        var r = await _t.RunAsync("install", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"\nuid=[1-9][0-9]*\noutside read-only\nkey hidden\nbuild dir writable\n", r.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(Outside));
        Assert.Contains("key", File.ReadAllText(Path.Combine(_t.DkmsTree, "mok.key")), StringComparison.OrdinalIgnoreCase); // the key exists: it was hidden, not absent
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "hostile.ko")) || Directory.GetFiles(_t.UpdatesDir, "hostile.ko*").Length == 1);
        Assert.Equal($"hostile/1.0, {_t.Kernel}, {TestTrees.ArchName}: installed\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Build_SandboxNone_RunsAsRootAsDkmsDoes_AndSaysSo()
    {
        var module = Hostile();
        File.WriteAllText(_t.FrameworkConf, "build_sandbox=\"none\"\n");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\nuid=0\nwrote outside\nkey read\n", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(["from-conf", "from-script"], Directory.GetFileSystemEntries(Outside).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Single(r.Stderr.Split('\n'), l => l.StartsWith("Warning: build_sandbox=\"none\"", StringComparison.Ordinal));
    }
}
