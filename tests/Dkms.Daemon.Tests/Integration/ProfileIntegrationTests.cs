using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>dkmsd under a profile other than 3.0 (framework.conf's dkms_compat), with real builds on temporary trees.</summary>
public sealed class ProfileIntegrationTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public ProfileIntegrationTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_trees.FrameworkConf)!);
        File.WriteAllText(_trees.FrameworkConf, "dkms_compat=\"3.4\"\n");
    }

    public void Dispose() => _trees.Dispose();

    private string Kernel => KernelHeaders.Kernel;

    private string Installed(string mv) => $"{mv}, {Kernel}, x86_64: installed\n";

    private async Task<DkmsdProcess> StartAsync(params string[] extra)
    {
        var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, .. extra]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    private Task<ProcessResult> CtlAsync(params string[] args) => DaemonCtl.RunAsync(_trees.Socket, args);

    private async Task WaitForStatusAsync(string expected, int seconds = 120)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        string last;
        do
        {
            last = (await CtlAsync("status")).Stdout;
            if (last == expected)
            {
                return;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < end);

        Assert.Equal(expected, last);
    }

    [Fact]
    public async Task GetInfo_DkmsCompat34_ProfileAndItsVersion()
    {
        await using var daemon = await StartAsync("--no-automation");
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var info = await new Protocol.V1.Dkms.DkmsClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal("3.4", info.DkmsProfile);
        Assert.Equal("dkms_compat", info.DkmsProfileSource);
        Assert.Equal("dkms-3.4.3", info.CompatibleDkmsVersion);
        Assert.Contains("Behaves as dkms 3.4.3 (profile 3.4, chosen by dkms_compat)", daemon.Output, StringComparison.Ordinal);
    }

    // 3.4: a BUILD_DEPENDS that names no registered module defers the module (exit 0); when the dependency's source
    // appears, dkmsd adds it, builds it, and then builds the module that waited for it.
    [Fact]
    public async Task DeferredBuildDepends_DependencyAppears_DaemonBuildsBoth()
    {
        _trees.ExampleModule("needy", "1.0", extraConf: "\nBUILD_DEPENDS[0]=\"late\"\n");
        var add = await _trees.DkmsCtlAsync("add", "needy/1.0");
        Assert.True(add.ExitCode == 0, add.ToString());
        KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartAsync(); // its start-up reconcile runs the kernel's autoinstall

        var first = await CtlAsync("autoinstall", "-k", Kernel, "--wait");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("needy/1.0 autoinstall deferred: BUILD_DEPENDS not registered with DKMS: late.\n", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Autoinstall on {Kernel} deferred module(s) needy/1.0 due to BUILD_DEPENDS not yet registered with DKMS.\n", first.Stdout,
            StringComparison.Ordinal);
        Assert.Equal("needy/1.0: added\n", (await CtlAsync("status")).Stdout);

        _trees.ExampleModule("late", "1.0");

        await WaitForStatusAsync(Installed("late/1.0") + Installed("needy/1.0"));
    }

    // 3.4's per-module BUILD_EXCLUSIVE with a real build: module 1 is for another kernel, module 0 is built and installed.
    [Fact]
    public async Task PerModuleBuildExclusive_RealBuild_OnlyMatchingModuleInstalled()
    {
        var dir = _trees.ExampleModule("pair", "1.0");
        File.WriteAllText(Path.Combine(dir, "Makefile"), "obj-m := pair.o other.o\n");
        File.Copy(Path.Combine(dir, "pair.c"), Path.Combine(dir, "other.c"));
        File.AppendAllText(Path.Combine(dir, "dkms.conf"),
            "\nBUILT_MODULE_NAME[1]=\"other\"\nDEST_MODULE_LOCATION[1]=\"/kernel/extra\"\nBUILD_EXCLUSIVE_KERNEL[1]=\"^1\\.2\\.3$\"\n");
        KernelHeaders.LinkInto(_trees.InstallTree);

        var r = await _trees.DkmsCtlAsync("install", "pair/1.0", "-k", Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        var built = Path.Combine(_trees.DkmsTree, "pair", "1.0", Kernel, "x86_64", "module");
        Assert.True(File.Exists(Path.Combine(built, "pair.ko")), r.ToString());
        Assert.False(File.Exists(Path.Combine(built, "other.ko")), r.ToString());
        Assert.Empty(Directory.GetFiles(Path.Combine(_trees.InstallTree, Kernel), "other.ko*", SearchOption.AllDirectories));
        Assert.Equal($"pair/1.0, {Kernel}, x86_64: installed\n", (await _trees.DkmsCtlAsync("status")).Stdout);
    }

    // 3.4's /etc/dkms/<module>/ overrides with a real build: the administrator's patch and PRE_BUILD script win.
    [Fact]
    public async Task ConfigDirOverrides_RealBuild_PatchAndScriptFromConfigDir()
    {
        var dir = _trees.ExampleModule("tuned", "1.0", extraConf: "\nPATCH[0]=\"rename.patch\"\nPRE_BUILD=\"pre.sh\"\n");
        Directory.CreateDirectory(Path.Combine(dir, "patches"));
        File.WriteAllText(Path.Combine(dir, "patches", "rename.patch"), "not a patch the package means to apply\n");
        DaemonTrees.Script(dir, "pre.sh", "echo package pre_build");
        var etc = Path.Combine(Path.GetDirectoryName(_trees.FrameworkConf)!, "tuned");
        Directory.CreateDirectory(Path.Combine(etc, "patches"));
        File.WriteAllText(Path.Combine(etc, "patches", "rename.patch"),
            "--- a/Makefile\n+++ b/Makefile\n@@ -1 +1,2 @@\n obj-m := tuned.o\n+# patched from the config dir\n");
        DaemonTrees.Script(etc, "pre.sh", "echo \"override pre_build in $(pwd)\"");
        KernelHeaders.LinkInto(_trees.InstallTree);

        var r = await _trees.DkmsCtlAsync("build", "tuned/1.0", "-k", Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        // 3.4 runs PRE_BUILD as a logged step ("Running the pre_build script... done."): its output is in make.log.
        Assert.Contains("Running the pre_build script... done.", r.Stdout, StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(Path.Combine(_trees.DkmsTree, "tuned", "1.0", Kernel, "x86_64", "log", "make.log"));
        Assert.Contains($"override pre_build in {etc}", log, StringComparison.Ordinal);
        Assert.DoesNotContain("package pre_build", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_trees.DkmsTree, "tuned", "1.0", Kernel, "x86_64", "module", "tuned.ko")), r.ToString());
    }
}
