using System.Diagnostics;
using Dkms.Core.Platform;

namespace Dkms.Core.Tests.Platform;

/// <summary>
/// try_sign_modules's chroot check: a chroot is a different root, never merely a mount namespace of one's own (dkmsd
/// under systemd's ProtectSystem and PrivateTmp has one; dkms 3.4 would take it for a chroot and never sign).
/// </summary>
public sealed class ChrootCheckTests : IDisposable
{
    private const string Root = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw";
    private const string Proc = "30 27 0:5 / /proc rw,nosuid - proc proc rw";
    private static readonly Dictionary<string, string?> NoEnvironment = new();

    private readonly TempDir _proc = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void SameRoot_NotAChroot() =>
        Assert.False(Check(init: [Root, Proc], self: [Root, Proc], isRoot: false));

    [Fact]
    public void OwnMountNamespaceOverTheSameRoot_NotAChroot() =>
        Assert.False(Check(init: [Root, Proc], self: ["81 80 254:0 / / ro,relatime - ext4 /dev/vda rw", "90 81 0:40 / /tmp rw - tmpfs tmpfs rw", Proc], isRoot: false));

    [Fact]
    public void NoMountAtRoot_AChroot() => // chrooted into a directory: the kernel hides the mount it lies in
        Assert.True(Check(init: [Root, Proc], self: ["31 27 0:5 / /proc rw - proc proc rw"], isRoot: false));

    [Fact]
    public void AnotherFilesystemAtRoot_AChroot() =>
        Assert.True(Check(init: [Root, Proc], self: ["50 40 0:44 / / rw - tmpfs tmpfs rw", Proc], isRoot: false));

    [Fact]
    public void ASubdirectoryOfTheSameFilesystemBoundAtRoot_AChroot() =>
        Assert.True(Check(init: [Root, Proc], self: ["50 40 254:0 /srv/image / rw - ext4 /dev/vda rw", Proc], isRoot: false));

    [Fact]
    public void TopmostMountAtRootCounts() =>
        Assert.True(Check(init: [Root, Proc], self: [Root, "60 27 0:50 / / rw - overlay overlay rw", Proc], isRoot: false));

    [Fact]
    public void Fakechroot_AChroot() =>
        Assert.True(ChrootCheck.InChroot(_proc.Path, "self", isRoot: false, new Dictionary<string, string?>
        {
            ["FAKECHROOT"] = "true", ["FAKECHROOT_BASE"] = "/srv/image", ["LD_PRELOAD"] = "/usr/lib/x86_64-linux-gnu/fakechroot/libfakechroot.so",
        }));

    [Fact]
    public void NoProc_RootSaysChrootOthersDoNot()
    {
        Assert.True(ChrootCheck.InChroot(_proc.Path, "self", isRoot: true, NoEnvironment));
        Assert.False(ChrootCheck.InChroot(_proc.Path, "self", isRoot: false, NoEnvironment));
    }

    [Fact]
    public void Root_InitsRootAnotherDirectory_AChroot()
    {
        Write(init: [Root, Proc], self: [Root, Proc]);
        File.CreateSymbolicLink(Path.Combine(_proc.Path, "1", "root"), _proc.Path);
        Assert.True(ChrootCheck.InChroot(_proc.Path, "self", isRoot: true, NoEnvironment));
    }

    [Fact]
    public void Root_InitsRootIsOurs_NotAChroot()
    {
        Write(init: [Root, Proc], self: [Root, Proc]);
        File.CreateSymbolicLink(Path.Combine(_proc.Path, "1", "root"), "/");
        Assert.False(ChrootCheck.InChroot(_proc.Path, "self", isRoot: true, NoEnvironment));
    }

    [Fact]
    public void Root_InitsRootUnreadable_MountinfoDecides() // root without CAP_SYS_PTRACE cannot follow /proc/1/root
    {
        Write(init: [Root, Proc], self: [Root, Proc]);
        File.CreateSymbolicLink(Path.Combine(_proc.Path, "1", "root"), Path.Combine(_proc.Path, "gone"));
        Assert.False(ChrootCheck.InChroot(_proc.Path, "self", isRoot: true, NoEnvironment));
    }

    [Fact]
    public void ThisProcess_NotAChroot() => Assert.False(SystemFacts.Host.InChroot());

    /// <summary>Real processes on this machine: one in a mount namespace of its own, one chrooted into a directory.</summary>
    [Fact]
    public void RealProcesses_NamespaceIsNotAChroot_ChrootIs()
    {
        Assert.True(SystemFacts.Host.IsRoot, "unshare and chroot need root (the tests run as root)");
        using var ns = Start("unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /tmp && exec sleep 60");
        WaitForMount(ns.Id, "/tmp");
        Assert.False(ChrootCheck.InChroot("/proc", ns.Id.ToString(), isRoot: true, NoEnvironment));

        // A directory with sleep and the libraries it needs: chroot(8) runs it there.
        var image = Directory.CreateDirectory(Path.Combine(_proc.Path, "image")).FullName;
        foreach (var file in new[] { "/bin/sleep" }.Concat(Libraries("/bin/sleep")))
        {
            var target = image + file;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Directory.CreateDirectory(Path.Combine(image, "proc"));
        using var chrooted = Start("unshare", "-m", "--propagation", "private", "sh", "-c",
            $"mount -t proc proc {image}/proc && exec chroot {image} /bin/sleep 60");
        WaitUntil(() => File.ReadAllText($"/proc/{chrooted.Id}/cmdline").StartsWith("/bin/sleep", StringComparison.Ordinal),
            () => chrooted.Describe());
        Assert.True(ChrootCheck.InChroot("/proc", chrooted.Id.ToString(), isRoot: true, NoEnvironment));
    }

    private bool Check(string[] init, string[] self, bool isRoot)
    {
        Write(init, self);
        return ChrootCheck.InChroot(_proc.Path, "self", isRoot, NoEnvironment);
    }

    private void Write(string[] init, string[] self)
    {
        _proc.Write("1/mountinfo", string.Join('\n', init) + "\n");
        _proc.Write("self/mountinfo", string.Join('\n', self) + "\n");
    }

    private static KilledOnDispose Start(string file, params string[] args)
    {
        var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        return new KilledOnDispose(p);
    }

    private static IEnumerable<string> Libraries(string program)
    {
        var ldd = Process.Start(new ProcessStartInfo("ldd", [program]) { RedirectStandardOutput = true })!;
        var output = ldd.StandardOutput.ReadToEnd();
        ldd.WaitForExit();
        return output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.StartsWith('/')).Distinct();
    }

    private static void WaitForMount(int pid, string mountPoint) =>
        WaitUntil(() => File.ReadLines($"/proc/{pid}/mountinfo").Any(l => l.Split(' ')[4] == mountPoint));

    private static void WaitUntil(Func<bool> condition, Func<string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (IOException)
            {
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the process did not get ready: " + describe?.Invoke());
            Thread.Sleep(20);
        }
    }

    private sealed class KilledOnDispose(Process process) : IDisposable
    {
        public int Id => process.Id;

        public string Describe() => process.HasExited
            ? $"exited {process.ExitCode}: {process.StandardError.ReadToEnd()}"
            : File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');

        public void Dispose()
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }
    }
}
