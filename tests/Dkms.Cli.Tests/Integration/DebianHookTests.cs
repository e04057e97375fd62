using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// Debian's own maintainer-script helper, <c>/usr/lib/dkms/common.postinst</c>, driving dkmsctl as
/// <c>dkms</c>: what every <c>*-dkms</c> package runs at install time, unchanged. It hard-codes
/// <c>/var/lib/dkms</c>, <c>/usr/src</c>, <c>/lib/modules</c> and <c>/etc/dkms</c>, so it runs in a private
/// mount namespace with this test's trees bind-mounted over them (the headers stay visible).
/// </summary>
public sealed class DebianHookTests : IDisposable
{
    private const string CommonPostinst = "/usr/lib/dkms/common.postinst";

    private const string Shield = """
        set -e
        src=$1 dkms=$2 modules=$3 etc=$4 bin=$5; shift 5
        for d in /usr/src/linux-headers-* /usr/src/linux-kbuild-*; do
          [ -d "$d" ] || continue
          mkdir -p "$src/$(basename "$d")"
          mount --bind "$d" "$src/$(basename "$d")"
        done
        mount --rbind "$src" /usr/src
        mount --bind "$dkms" /var/lib/dkms
        mount --bind "$modules" /lib/modules
        mount --bind "$etc" /etc/dkms
        export PATH="$bin:$PATH"
        exec "$@"
        """;

    private readonly TestTrees _t = new();

    [Fact]
    public async Task CommonPostinst_WithDkmsctlAsDkms_AddsBuildsAndInstalls()
    {
        ReferenceDkms.Require();
        var bin = Path.Combine(_t.Root, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "dkms"), DkmsCtl.Binary);
        _ = _t.SourceTreeModule("pkgmod", "2.1");

        var r = await Shielded(bin, CommonPostinst, "pkgmod", "2.1", "/usr/share/pkgmod-dkms", string.Empty, string.Empty);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "pkgmod.ko")), r.ToString());
        var status = await Shielded(bin, "dkms", "status");
        Assert.Equal($"pkgmod/2.1, {_t.Kernel}, {TestTrees.ArchName}: installed\n", status.Stdout);
    }

    private Task<CliResult> Shielded(string bin, params string[] command) => DkmsCtl.RunAsync(
    [
        "-m", "--propagation", "private", "bash", "-c", Shield, "shield",
        _t.SourceTree, _t.DkmsTree, _t.InstallTree, _t.EtcDir, bin, .. command,
    ], program: "unshare");

    public void Dispose() => _t.Dispose();
}
