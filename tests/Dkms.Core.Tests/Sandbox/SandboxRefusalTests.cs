using Dkms.Core.Sandbox;

namespace Dkms.Core.Tests.Sandbox;

/// <summary>Reading what the sandbox refused a failed step from the words real tools print.</summary>
public sealed class SandboxRefusalTests
{
    private static readonly string[] Writable = ["/var/lib/dkms/m/1/build"];

    [Theory]
    [InlineData("touch: cannot touch '/etc/needy.conf': Read-only file system", "/etc/needy.conf")]
    [InlineData("cp: cannot create regular file '/usr/lib/firmware/x.bin': Read-only file system", "/usr/lib/firmware/x.bin")]
    [InlineData("mkdir: cannot create directory ‘/opt/needy’: Read-only file system", "/opt/needy")]
    [InlineData("bash: line 1: /etc/needy.conf: Read-only file system", "/etc/needy.conf")]
    [InlineData("/bin/sh: 1: cannot create /usr/share/needy: Read-only file system", "/usr/share/needy")]
    [InlineData("/usr/bin/ld: cannot open output file /lib/needy.o: Read-only file system", "/lib/needy.o")]
    [InlineData("OSError: [Errno 30] Read-only file system: '/usr/local/share/needy'", "/usr/local/share/needy")]
    [InlineData("install: cannot create regular file '/etc/udev/rules.d/99-x.rules': Permission denied", "/etc/udev/rules.d/99-x.rules")]
    public void Find_RealToolWording_NamesThePath(string line, string path)
    {
        var refusal = SandboxRefusal.Find(["  CC [M]  /var/lib/dkms/m/1/build/m.o", line, "make: *** [Makefile:5: all] Error 1"], Writable);

        Assert.NotNull(refusal);
        Assert.Equal(path, refusal.Path);
        Assert.Equal(line, refusal.Line);
    }

    [Fact]
    public void Find_AnOrdinaryCompileError_FindsNothing()
    {
        string[] log =
        [
            "/var/lib/dkms/m/1/build/m.c:3:1: error: unknown type name 'foo'",
            "make[2]: *** [scripts/Makefile.build:250: /var/lib/dkms/m/1/build/m.o] Error 1",
        ];

        Assert.Null(SandboxRefusal.Find(log, Writable));
    }

    [Theory]
    [InlineData("/bin/sh: 1: ./configure: Permission denied")] // the package's own mistake, unsandboxed too
    [InlineData("chmod: changing permissions of '/var/lib/dkms/m/1/build/x': Operation not permitted")] // inside its build dir
    public void Find_PermissionErrorsNotOutsideTheView_AreNotBlamedOnTheSandbox(string line)
    {
        Assert.Null(SandboxRefusal.Find([line], Writable));
    }

    [Fact]
    public void Find_PrefersTheRefusalOutsideTheWritableView()
    {
        var refusal = SandboxRefusal.Find(
            ["bash: /var/lib/dkms/m/1/build/ro: Read-only file system", "touch: cannot touch '/etc/x': Read-only file system"], Writable);

        Assert.Equal("/etc/x", refusal?.Path);
    }

    [Fact]
    public void Explain_NamesThePathAndTheOptOut()
    {
        var lines = SandboxRefusal.Parse("touch: cannot touch '/etc/needy.conf': Read-only file system")!.Explain("/var/lib/dkms/m/1/build");

        Assert.StartsWith("The build sandbox refused writing /etc/needy.conf (Read-only file system)", lines[0], StringComparison.Ordinal);
        Assert.Contains("/var/lib/dkms/m/1/build", lines[0], StringComparison.Ordinal);
        Assert.Contains("build_sandbox=\"none\"", lines[^1], StringComparison.Ordinal);
    }
}
