using Dkms.Core.Actions;
using Dkms.Core.Compat;
using Dkms.Core.Output;

namespace Dkms.Core.Tests.Compat;

/// <summary>What each profile says: -V, error(), status remarks, usage and the messages that changed (docs/research/dkms-profiles.md).</summary>
public sealed class ProfileWordingTests
{
    private static readonly ModuleRef Mv = new("hello", "1.0");
    private static readonly KernelTarget T = new("6.1.0-99-test", "x86_64");

    public static TheoryData<string, string> Versions => new()
    {
        { "3.0", "dkms-3.0.10" },
        { "3.2", "dkms-3.2.2" },
        { "3.4", "dkms-3.4.3" },
    };

    private static DkmsMessages Words(string profile) => DkmsProfile.Find(profile)!.Messages;

    [Theory]
    [MemberData(nameof(Versions))]
    public void Version_PerProfile_DkmsDashRelease(string profile, string expected)
    {
        Assert.Equal(expected, Words(profile).Version);
        Assert.Equal(expected, DkmsProfile.Find(profile)!.VersionLine);
    }

    [Fact]
    public void ErrorText_From32_BlankLineFirst()
    {
        Assert.Equal("Error! a\nb\n", Words("3.0").ErrorText(["a", "b"]));
        Assert.Equal("\nError! a\nb\n", Words("3.2").ErrorText(["a", "b"]));
        Assert.Equal("\nError! a\nb\n", Words("3.4").ErrorText(["a", "b"]));
    }

    [Fact]
    public void StatusRemarks_PerProfile_31Wording()
    {
        var w30 = Words("3.0");
        var w32 = Words("3.2");
        Assert.Equal(["(original_module exists)", "(WARNING! Missing some built modules!)", "(WARNING! Diff between built and installed module!)"],
            [w30.StatusOriginalExists, w30.StatusBuiltModulesMissing, w30.StatusBuiltAndInstalledDiffer]);
        Assert.Equal(["(Original modules exist)", "(Built modules are missing in the kernel modules folder)", "(Differences between built and installed modules)"],
            [w32.StatusOriginalExists, w32.StatusBuiltModulesMissing, w32.StatusBuiltAndInstalledDiffer]);
        Assert.Equal(w32.StatusBuiltAndInstalledDiffer, Words("3.4").StatusBuiltAndInstalledDiffer);
    }

    [Fact]
    public void Usage_From32_KernelActionsAndHelp()
    {
        var u30 = Words("3.0").Usage("/usr/sbin/dkms");
        var u34 = Words("3.4").Usage("/usr/sbin/dkms");

        Assert.DoesNotContain("kernel_preinst", u30, StringComparison.Ordinal);
        Assert.StartsWith("Usage: /usr/sbin/dkms [action] [options]\n", u34, StringComparison.Ordinal);
        Assert.Contains("               kernel_preinst | kernel_postinst | kernel_prerm }\n", u34, StringComparison.Ordinal);
        Assert.Contains("[--version] [--help]\n", u34, StringComparison.Ordinal);
        Assert.Equal(u34, Words("3.2").Usage("/usr/sbin/dkms"));
    }

    [Fact]
    public void UnknownOption_From32_NoLeadingBlank()
    {
        Assert.Equal("Error!  Unknown option: --x\n", Words("3.0").ErrorText(Words("3.0").UnknownOption("--x")));
        Assert.Equal("\nError! Unknown option: --x\n", Words("3.2").ErrorText(Words("3.2").UnknownOption("--x")));
    }

    [Fact]
    public void HeadersMissing_34_DistributionAdvice()
    {
        Assert.Equal("Please install the linux-headers-6.1 package or use the --kernelsourcedir option to tell DKMS where it's located.",
            Words("3.2").HeadersMissing("6.1", "/lib/modules")[1]);
        Assert.Equal(
            "Please install your distribution's kernel headers package matching 6.1, or use the --kernelsourcedir option to tell DKMS where it's located.",
            Words("3.4").HeadersMissing("6.1", "/lib/modules")[1]);
    }

    [Fact]
    public void BuildExcluded_PerProfile_ErrorThenWarningThenPerModuleWording()
    {
        Assert.False(Words("3.0").ExclusionIsWarning);
        Assert.Equal(2, Words("3.0").BuildExcluded(Mv, "/b", "/s").Length);
        Assert.True(Words("3.2").ExclusionIsWarning);
        Assert.Equal(["The /b/dkms.conf", "for module hello/1.0 includes a BUILD_EXCLUSIVE directive", "which does not match this kernel/arch/config.",
            "This indicates that it should not be built."], Words("3.2").BuildExcluded(Mv, "/b", "/s"));
        Assert.Equal(["The /b/dkms.conf", "for module hello/1.0 includes BUILD_EXCLUSIVE directives",
            "which do not match this kernel/arch/config for any modules.", "This indicates that it should not be built."], Words("3.4").BuildExcluded(Mv, "/b", "/s"));
    }

    [Fact]
    public void ModuleSpelling_From32_Slashed()
    {
        Assert.Equal("Module hello 1.0 is not installed for kernel 6.1.0-99-test (x86_64). Skipping...", Words("3.0").NotInstalled(Mv, T));
        Assert.Equal("Module hello/1.0 is not installed for kernel 6.1.0-99-test (x86_64). Skipping...", Words("3.2").NotInstalled(Mv, T));
        Assert.Equal("Deleting module hello/1.0 completely from the DKMS tree.", Words("3.4").DeletingModule(Mv));
        Assert.Equal("The module/version combo: hello/1.0 is not located in the DKMS tree.", Words("3.2").NotInTree(Mv)[0]);
        Assert.Equal("Module hello/1.0 for kernel 6.1.0-99-test (x86_64):", Words("3.2").UninstallHeader(Mv, T));
    }

    [Fact]
    public void Steps_From32_DoneAndRunningDepmod()
    {
        Assert.Equal(string.Empty, Words("3.0").StepEnded(0));
        Assert.Equal(" done.", Words("3.2").StepEnded(0));
        Assert.Equal("(bad exit status: 2)", Words("3.4").StepEnded(2));
        Assert.Equal("depmod", Words("3.0").Depmod);
        Assert.Equal("Running depmod", Words("3.2").Depmod);
    }

    [Fact]
    public void AutoinstallSummary_From32_Lines()
    {
        using var stdout = new StringWriter();
        var o = new DkmsOutput(stdout, TextWriter.Null, messages: Words("3.2"));

        o.Messages.AutoinstallSummary(o, "6.1", ["a", "b"], ["c"], ["d(10)"]);

        Assert.Equal("Autoinstall on 6.1 succeeded for module(s) a b.\nAutoinstall on 6.1 was skipped for module(s) c.\n"
                     + "Autoinstall on 6.1 failed for module(s) d(10).\n", stdout.ToString());
    }

    [Fact]
    public void RemovingFromKernel_PerProfile_HookOrAction()
    {
        Assert.Equal("dkms: removing: hello 1.0 (6.1.0-99-test) (x86_64)", Words("3.0").RemovingFromKernel(Mv, T));
        Assert.Equal("dkms: removing module hello/1.0 for kernel 6.1.0-99-test (x86_64)", Words("3.2").RemovingFromKernel(Mv, T));
    }
}
