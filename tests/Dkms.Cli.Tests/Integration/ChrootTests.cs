using System.Text;
using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// dkmsctl building in a real chroot, as an image build does (<c>chroot /srv/image apt install foo-dkms</c>): the
/// chroot is an overlay of this machine's root (so the headers, compiler and dkmsctl are there) with /proc, /dev and
/// the test's trees mounted in, all in a private mount namespace.
/// </summary>
public sealed class ChrootTests : IDisposable
{
    private static readonly byte[] SignatureMarker = Encoding.ASCII.GetBytes("~Module signature appended~\n");

    private readonly TestTrees _t = new();

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData("3.4", false)] // try_sign_modules defaults to not_in_chroot
    [InlineData("3.0", true)] // 3.0 has no such rule: it signs
    public async Task Build_InAChroot_BuildsUnsandboxedWithAWarning_SignsAsTheProfileSays(string profile, bool signs)
    {
        File.WriteAllText(_t.FrameworkConf, $"dkms_compat=\"{profile}\"\n");
        var m = _t.Module("hello");

        var add = await InChrootAsync("add", m.Dir);
        var build = await InChrootAsync("build", m.Ref, "-k", _t.Kernel);

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Warning: in a chroot, the build sandbox cannot run (bwrap: ", build.Stderr, StringComparison.Ordinal);
        Assert.Equal(!signs, build.Stdout.Contains("Running in chroot, modules won't be signed\n", StringComparison.Ordinal));
        var ko = await File.ReadAllBytesAsync(Path.Combine(_t.BuiltDir("hello", "1.0"), "module", "hello.ko"));
        Assert.Equal(signs, ko.AsSpan().EndsWith(SignatureMarker));
    }

    [Fact]
    public async Task Build_InAChroot_SandboxRequired_RefusedExit8()
    {
        File.WriteAllText(_t.FrameworkConf, "build_sandbox=\"bwrap\"\n");
        var m = _t.Module("hello");

        var add = await InChrootAsync("add", m.Dir);

        Assert.Equal(8, add.ExitCode);
        Assert.Contains("The build sandbox cannot run here: bwrap: ", add.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "hello")));
    }

    /// <summary>dkmsctl on the test's trees, chrooted into an overlay of "/".</summary>
    private Task<CliResult> InChrootAsync(params string[] args)
    {
        var image = Path.Combine(_t.Root, "image");
        var upper = Path.Combine(_t.Root, "image-upper");
        var work = Path.Combine(_t.Root, "image-work");
        foreach (var d in new[] { image, upper, work })
        {
            Directory.CreateDirectory(d);
        }

        var q = (string s) => Core.Bash.BashEvaluator.Quote(s);
        string[] command = [DkmsCtl.Binary, .. _t.TreeArgs, "-j", "2", .. args];
        var dkmsctl = string.Join(' ', command.Select(q));
        var script = $"mount -t overlay image -o lowerdir=/,upperdir={q(upper)},workdir={q(work)} {q(image)} && "
            + $"mount -t proc proc {q(image + "/proc")} && mount --rbind /dev {q(image + "/dev")} && "
            + $"mount --bind {q(_t.Root)} {q(image + _t.Root)} && exec chroot {q(image)} {dkmsctl}";
        return DkmsCtl.RunAsync(["-m", "--propagation", "private", "bash", "-c", script], program: "/usr/bin/unshare");
    }
}
