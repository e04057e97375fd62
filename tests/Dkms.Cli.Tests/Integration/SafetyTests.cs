using System.Diagnostics;
using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>Hostile names and paths, configurations that never finish, builds that hang, concurrent callers.</summary>
public sealed class SafetyTests : IDisposable
{
    private readonly TestTrees _t = new();

    private string[] FilesOutsideTrees() =>
        Directory.GetFileSystemEntries(Path.GetDirectoryName(_t.Root)!, "pwned*", SearchOption.TopDirectoryOnly);

    [Theory]
    [InlineData("../../etc/1.0")]
    [InlineData("evil/..")]
    [InlineData("a\u0001b/1.0")]
    public async Task Add_HostileModuleOrVersion_RefusedAndNothingWritten(string mv)
    {
        var r = await _t.RunAsync("add", mv);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Invalid module", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_t.DkmsTree));
    }

    [Fact]
    public async Task Add_UserOwnedCheckout_CopiedRootOwnedAndWritableOnlyByRoot()
    {
        // `sudo dkms add .` in a user's checkout: the copy that root builds later must not stay the user's to edit.
        var mod = _t.Module("owned");
        File.SetUnixFileMode(Path.Combine(mod.Dir, "Makefile"), (UnixFileMode)Convert.ToInt32("666", 8));
        await Tools.RunAsync("chown", "-R", "65534:65534", mod.Dir);

        var r = await _t.RunAsync("add", mod.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        var copy = Path.Combine(_t.SourceTree, "owned-1.0");
        foreach (var entry in Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Append(copy))
        {
            var fields = (await Tools.RunAsync("stat", "-c", "%u %A", entry)).Trim().Split(' ');
            Assert.True(fields[0] == "0", $"{entry} is owned by uid {fields[0]}");
            Assert.True(fields[1][5] != 'w' && fields[1][8] != 'w', $"{entry} is {fields[1]}");
        }
    }

    [Fact]
    public async Task Build_HostileKernelVersion_Refused()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("k").Dir)).ExitCode);

        var r = await _t.RunAsync("build", "k/1.0", "-k", "../../../../tmp/pwned");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Invalid kernel version", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DEST_MODULE_LOCATION[0]=\"/kernel/../../../../../pwned\"", "DEST_MODULE_LOCATION")]
    [InlineData("DEST_MODULE_NAME[0]=\"../../../../pwned\"", "DEST_MODULE_NAME")]
    [InlineData("BUILT_MODULE_LOCATION[0]=\"../../../../../\"", "BUILT_MODULE_LOCATION")]
    public async Task Install_TraversalInConf_RefusedNamingDirectiveAndNothingWritten(string line, string directive)
    {
        var mod = _t.Module("trav").Conf(line);

        var r = await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(8, r.ExitCode);
        Assert.Contains(directive, r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "trav")));
        Assert.Empty(FilesOutsideTrees());
    }

    [Fact]
    public async Task Build_PreBuildScriptOutsideTree_RefusedNamingDirective()
    {
        var mod = _t.Module("hook").Conf("PRE_BUILD=\"../../../../../bin/true\"");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(8, r.ExitCode);
        Assert.Contains("PRE_BUILD '../../../../../bin/true' leads outside", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("hook/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Install_DestinationDirectoryIsLinkOutOfTree_RefusedAndNothingWritten()
    {
        var outside = Path.Combine(_t.Root, "outside");
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(_t.KernelDir, "updates"), outside);
        var mod = _t.Module("linked");

        var r = await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(8, r.ExitCode);
        Assert.Contains("DEST_MODULE_LOCATION", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.False(File.Exists(Path.Combine(_t.DkmsTree, "linked", "kernel-" + _t.Kernel + "-" + TestTrees.ArchName)));
    }

    [Fact]
    public async Task Add_ConfThatNeverEnds_StoppedAtConfiguredLimit()
    {
        File.WriteAllText(_t.FrameworkConf, "conf_timeout=2\n");
        var mod = _t.Module("forever").Conf("while :; do sleep 1; done");
        var clock = Stopwatch.StartNew();

        var r = await _t.RunAsync("add", mod.Dir);

        Assert.Equal(8, r.ExitCode);
        Assert.Contains("did not finish within 2 s", r.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "forever")));
    }

    [Fact]
    public async Task Build_MakeHangs_StoppedAtBuildTimeoutWithWholeProcessGroup()
    {
        var marker = "dkmsd-hang-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(_t.FrameworkConf, "build_timeout=3\n");
        var mod = _t.Module("hang").Makefile($"all:\n\tsh -c 'sleep 600; : {marker}' & sleep 600 # {marker}\n").Conf("MAKE[0]=\"make all\"");
        var clock = Stopwatch.StartNew();

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(10, r.ExitCode);
        Assert.Contains("did not finish within 3 s and was stopped", r.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"took {clock.Elapsed}");
        await Task.Delay(500);
        var left = Process.GetProcesses().Where(p => CommandLine(p).Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Empty(left);
        Assert.Equal("hang/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task TwoCallers_SameModule_SecondWaitsInsteadOfInterleaving()
    {
        var mod = _t.Module("slow").File_("slow.sh", "#!/bin/sh\nsleep 3\n", executable: true).Conf("PRE_BUILD=\"slow.sh\"");
        Assert.Equal(0, (await _t.RunAsync("add", mod.Dir)).ExitCode);

        var first = _t.RunAsync("build", "slow/1.0", "-k", _t.Kernel);
        await Task.Delay(1000);
        var second = await _t.RunAsync("build", "slow/1.0", "-k", _t.Kernel);
        var firstResult = await first;

        Assert.True(firstResult.ExitCode == 0, firstResult.ToString());
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Waiting for another dkms process working on module slow...", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("already built", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_StaleStagingFromInterruptedBuild_Cleaned()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("stale").Dir)).ExitCode);
        var staging = Path.Combine(_t.DkmsTree, "stale", "1.0", _t.Kernel, ".tmp_x86_64_abcdef");
        Directory.CreateDirectory(Path.Combine(staging, "module"));

        var status = await _t.RunAsync("status");
        var remove = await _t.RunAsync("remove", "stale/1.0", "--all");

        Assert.Equal("stale/1.0: added\n", status.Stdout);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "stale")));
    }

    private static string CommandLine(Process p)
    {
        try
        {
            return File.ReadAllText($"/proc/{p.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    public void Dispose() => _t.Dispose();
}
