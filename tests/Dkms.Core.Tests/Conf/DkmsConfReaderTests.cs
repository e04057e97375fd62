using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Errors;

namespace Dkms.Core.Tests.Conf;

public sealed class DkmsConfReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    private ConfContext Context(string kernel = "6.1.0-56-amd64", string arch = "x86_64", string distribution = "debian",
        TimeSpan? timeout = null, string module = "", IReadOnlyList<string>? directives = null)
    {
        var ksrc = Path.Combine(_dir.Path, "ksrc");
        Directory.CreateDirectory(ksrc);
        return new ConfContext
        {
            Settings = new DkmsSettings
            {
                DkmsTree = "/var/lib/dkms-test",
                FrameworkConf = Path.Combine(_dir.Path, "etc", "framework.conf"),
                Distribution = distribution,
                ConfTimeout = timeout ?? TimeSpan.FromSeconds(30),
            },
            Kernel = kernel,
            Arch = arch,
            KernelSourceDir = ksrc,
            KernelConfig = Path.Combine(ksrc, ".config"),
            Module = module,
            ModuleVersion = module.Length > 0 ? "1.0" : string.Empty,
            Directives = directives ?? [],
        };
    }

    private Task<DkmsConf> Read(string text, ConfContext? ctx = null, bool strict = true) =>
        DkmsConfReader.ReadAsync(_dir.Write("dkms.conf", text), ctx ?? Context(), strict);

    [Fact]
    public async Task Read_ArraysAndScalars_AppliesDefaults()
    {
        var conf = await Read("""
            PACKAGE_NAME="foo"
            PACKAGE_VERSION=1.2
            BUILT_MODULE_NAME[0]=foo
            BUILT_MODULE_LOCATION[0]=src
            DEST_MODULE_LOCATION[0]="/kernel/drivers/misc"
            BUILT_MODULE_NAME[1]=bar
            DEST_MODULE_NAME[1]=baz
            DEST_MODULE_LOCATION[1]=/extra
            STRIP[1]=no
            AUTOINSTALL="yes"
            """);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal(("foo", "1.2"), (conf.PackageName, conf.PackageVersion));
        Assert.Equal(2, conf.Modules.Count);
        Assert.Equal("src/", conf.Modules[0].BuiltLocation);
        Assert.Equal("foo", conf.Modules[0].DestName);
        Assert.Equal("/updates/dkms", conf.Modules[0].DestLocation);
        Assert.Equal("/kernel/drivers/misc", conf.Modules[0].ConfDestLocation);
        Assert.Equal("baz", conf.Modules[1].DestName);
        Assert.True(conf.Modules[0].Strip);
        Assert.False(conf.Modules[1].Strip);
        Assert.True(conf.Autoinstall);
        Assert.Equal("make -C " + Context().KernelSourceDir + " M=/var/lib/dkms-test/foo/1.2/build", conf.MakeCommand);
    }

    [Fact]
    public async Task Read_BashControlFlowCountersAndSubstitution_Evaluated()
    {
        // The shapes real packages use (jool, nat-rtsp, v4l2loopback): loops with counters, $(...), if on kernelver.
        var conf = await Read("""
            PACKAGE_NAME=multi
            PACKAGE_VERSION=$(echo 2.0)
            i=0
            for m in alpha beta gamma; do
              BUILT_MODULE_NAME[$i]=$m
              BUILT_MODULE_LOCATION[$i]=src/$m
              DEST_MODULE_LOCATION[$i]=/extra
              i=$((i+1))
            done
            if [[ "$kernelver" == 6.* ]]; then
              MAKE[0]="make KVER=$kernelver -C src"
            else
              MAKE[0]="make old"
            fi
            echo "this goes nowhere"
            """);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal("2.0", conf.PackageVersion);
        Assert.Equal(["alpha", "beta", "gamma"], conf.Modules.Select(m => m.BuiltName));
        Assert.Equal("src/gamma/", conf.Modules[2].BuiltLocation);
        Assert.Equal("make KVER=6.1.0-56-amd64 -C src", conf.MakeCommand);
    }

    [Fact]
    public async Task Read_SourcesKernelConfig_SeesConfigValues()
    {
        var ctx = Context();
        File.WriteAllText(ctx.KernelConfig, "CONFIG_FOO=y\nCONFIG_BAR=m\n");
        var conf = await Read("""
            . "$kernel_source_dir/.config"
            PACKAGE_NAME=cfg
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=cfg
            DEST_MODULE_LOCATION[0]=/updates
            if [ "$CONFIG_FOO" = y ]; then BUILT_MODULE_NAME[1]=extra_foo; DEST_MODULE_LOCATION[1]=/updates; fi
            """, ctx);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal(["cfg", "extra_foo"], conf.Modules.Select(m => m.BuiltName));
    }

    [Fact]
    public async Task Read_ScalarMakeAndMultiLineMake_KeptWhole()
    {
        var conf = await Read("""
            PACKAGE_NAME=s
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME=s
            DEST_MODULE_LOCATION=/updates
            MAKE="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build &&
              echo second step"
            """);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Single(conf.Modules);
        Assert.StartsWith("make -C ", conf.MakeCommand, StringComparison.Ordinal);
        Assert.Contains("&&\n  echo second step", conf.MakeCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_NoMakeAndOneRecord_DefaultsNameAndKbuildCommand()
    {
        var conf = await Read("""
            PACKAGE_NAME=defaulted
            PACKAGE_VERSION=0.1
            DEST_MODULE_LOCATION[0]=/kernel/extra
            """);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal("defaulted", conf.Modules[0].BuiltName);
        Assert.Contains("M=/var/lib/dkms-test/defaulted/0.1/build", conf.MakeCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_SingleQuotedVariable_ExpandedSecondTimeAsDkmsDoes()
    {
        var conf = await Read("""
            PACKAGE_NAME=q
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=q
            BUILT_MODULE_LOCATION[0]='build-$kernelver'
            DEST_MODULE_LOCATION[0]=/extra
            """);

        Assert.Equal("build-6.1.0-56-amd64/", conf.Modules[0].BuiltLocation);
    }

    [Fact]
    public async Task Read_CrLfLineEndings_Stripped()
    {
        var conf = await Read("PACKAGE_NAME=\"dos\"\r\nPACKAGE_VERSION=\"1.0\"\r\nBUILT_MODULE_NAME[0]=\"dkms_dos_test\"\r\nDEST_MODULE_LOCATION[0]=\"/kernel/extra\"\r\n");

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal("dos", conf.PackageName);
        Assert.Equal("dkms_dos_test", conf.Modules[0].BuiltName);
    }

    [Fact]
    public async Task Read_SparseArrays_CountsToHighestIndexAndReportsGaps()
    {
        var conf = await Read("""
            PACKAGE_NAME=sparse
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[1]=one
            DEST_MODULE_LOCATION[1]=/extra
            BUILT_MODULE_NAME[3]=three
            DEST_MODULE_LOCATION[3]=/oops
            """);

        Assert.Equal(4, conf.Modules.Count);
        Assert.Contains("dkms.conf: Error! No 'BUILT_MODULE_NAME' directive specified for record #0.", conf.Errors);
        Assert.Contains("dkms.conf: Error! No 'DEST_MODULE_LOCATION' directive specified for record #2.", conf.Errors);
        Assert.Contains("dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n'/kernel', '/updates', or '/extra' in record #3.", conf.Errors);
    }

    [Fact]
    public async Task Read_MissingNameVersionAndBadValues_DkmsMessagesInOrder()
    {
        var conf = await Read("""
            BUILT_MODULE_NAME[0]=foo.ko
            DEST_MODULE_NAME[0]=bar.o
            DEST_MODULE_LOCATION[0]=/wrong/path
            AUTOINSTALL=maybe
            """);

        Assert.Equal(
        [
            "dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #0.",
            "dkms.conf: Error! 'DEST_MODULE_NAME' directive ends in '.o' or '.ko' in record #0.",
            "dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n'/kernel', '/updates', or '/extra' in record #0.",
            "dkms.conf: Error! No 'PACKAGE_NAME' directive specified.",
            "dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.",
            "dkms.conf: Error! Unsupported AUTOINSTALL value 'maybe'",
        ], conf.Errors);
        var e = Assert.Throws<DkmsException>(() => DkmsConfReader.RequireValid(conf));
        Assert.Equal(8, e.ExitCode);
    }

    [Theory]
    [InlineData("DEST_MODULE_LOCATION[0]=/kernel/../../../../etc", "DEST_MODULE_LOCATION")]
    [InlineData("BUILT_MODULE_LOCATION[0]=../../../tmp", "BUILT_MODULE_LOCATION")]
    [InlineData("DEST_MODULE_NAME[0]=../../evil", "DEST_MODULE_NAME")]
    [InlineData("BUILT_MODULE_NAME[0]=sub/evil", "BUILT_MODULE_NAME")]
    public async Task Read_PathTraversal_RejectedNamingDirective(string line, string directive)
    {
        var conf = await Read($"""
            PACKAGE_NAME=evil
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=evil
            DEST_MODULE_LOCATION[0]=/extra
            {line}
            """);

        Assert.False(conf.IsValid);
        Assert.Contains(conf.Errors, e => e.Contains($"'{directive}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    public async Task Read_HostilePackageName_Rejected(string name)
    {
        var conf = await Read($"""
            PACKAGE_NAME="{name}"
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/extra
            """);

        Assert.Contains(conf.Errors, e => e.Contains("'PACKAGE_NAME'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_FunctionsAndOtherVariables_DoNotLeak()
    {
        var conf = await Read("""
            printf() { echo hijacked; }
            declare() { :; }
            PACKAGE_NAME=clean
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=clean
            DEST_MODULE_LOCATION[0]=/extra
            SECRET=should-not-appear
            """);

        Assert.True(conf.IsValid, string.Join('\n', conf.Errors));
        Assert.Equal("clean", conf.PackageName);
    }

    [Fact]
    public async Task Read_ConfThatNeverEnds_StoppedAtTimeLimit()
    {
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<DkmsException>(() => Read("""
            PACKAGE_NAME=loop
            while true; do :; done
            """, Context(timeout: TimeSpan.FromSeconds(1))));

        Assert.Equal(8, e.ExitCode);
        Assert.Contains("did not finish within 1 s", e.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Read_ConfWaitingOnABackgroundChild_WholeGroupStopped()
    {
        var e = await Assert.ThrowsAsync<DkmsException>(() => Read("""
            PACKAGE_NAME=$(sleep 1000)
            """, Context(timeout: TimeSpan.FromSeconds(1))));

        Assert.Equal(8, e.ExitCode);
    }

    [Fact]
    public async Task Read_ConfWritingOnRecordChannel_CannotForgeValues()
    {
        var conf = await Read("""
            printf 'PACKAGE_NAME\0000\0forged\0' >&3
            PACKAGE_NAME=real
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=real
            DEST_MODULE_LOCATION[0]=/extra
            """);

        Assert.Equal("real", conf.PackageName);
    }

    [Theory]
    [InlineData("6\\.1\\..*", "6.1.0-56-amd64", false)]
    [InlineData("^5\\.", "6.1.0-56-amd64", true)]
    public async Task Read_BuildExclusiveKernel_MatchesAsBashEre(string pattern, string kernel, bool excluded)
    {
        var conf = await Read($"""
            PACKAGE_NAME=x
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/extra
            BUILD_EXCLUSIVE_KERNEL="{pattern}"
            """, Context(kernel: kernel));

        Assert.Equal(excluded, conf.IsExcluded);
    }

    [Theory]
    [InlineData("BUILD_EXCLUSIVE_KERNEL_MIN=6.2", true)]
    [InlineData("BUILD_EXCLUSIVE_KERNEL_MIN=5.10", false)]
    [InlineData("BUILD_EXCLUSIVE_KERNEL_MAX=6.0.99", true)]
    [InlineData("OBSOLETE_BY=6.0", true)]
    [InlineData("BUILD_EXCLUSIVE_ARCH=aarch64", true)]
    [InlineData("BUILD_EXCLUSIVE_ARCH='x86_64|i.86'", false)]
    [InlineData("BUILD_EXCLUSIVE_CONFIG='CONFIG_FOO !CONFIG_BAZ'", false)]
    [InlineData("BUILD_EXCLUSIVE_CONFIG='CONFIG_BAZ'", true)]
    [InlineData("BUILD_EXCLUSIVE_CONFIG='!CONFIG_BAR'", true)]
    public async Task Read_BuildExclusiveDirectives_DecideExclusion(string line, bool excluded)
    {
        var ctx = Context();
        File.WriteAllText(ctx.KernelConfig, "CONFIG_FOO=y\nCONFIG_BAR=m\n# CONFIG_BAZ is not set\n");
        var conf = await Read($"""
            PACKAGE_NAME=x
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/extra
            {line}
            """, ctx);

        Assert.Equal(excluded, conf.IsExcluded);
    }

    [Fact]
    public async Task Read_MakeMatchAndPatchMatch_PickPerKernel()
    {
        var conf = await Read("""
            PACKAGE_NAME=x
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/extra
            MAKE[0]="make default"
            MAKE[1]="make for-six"
            MAKE_MATCH[1]="^6\."
            PATCH[0]=always.patch
            PATCH[1]=five-only.patch
            PATCH_MATCH[1]="^5\."
            PATCH[2]=six-only.patch
            PATCH_MATCH[2]="^6\."
            """);

        Assert.Equal("make for-six", conf.MakeCommand);
        Assert.Equal(["always.patch", "six-only.patch"], conf.Patches);
    }

    [Fact]
    public async Task Read_DuplicateModules_StrictOnly()
    {
        const string text = """
            PACKAGE_NAME=dup
            PACKAGE_VERSION=1
            BUILT_MODULE_NAME[0]=same
            DEST_MODULE_LOCATION[0]=/extra
            BUILT_MODULE_NAME[1]=same
            DEST_MODULE_LOCATION[1]=/extra
            """;

        var strict = await Read(text);
        var loose = await Read(text, strict: false);

        Assert.Contains("dkms.conf: Error! Duplicate module 'same' in 'BUILT_MODULE_NAME[1]'.", strict.Errors);
        Assert.True(loose.IsValid);
    }

    [Fact]
    public async Task Read_OverrideFilesAndDirectives_AppliedAfterConf()
    {
        var ctx = Context(module: "ovr", directives: ["AUTOINSTALL=no"]);
        _dir.Write("etc/ovr.conf", "MAKE[0]='make from-override'\nAUTOINSTALL=yes\n");
        var conf = await Read("""
            PACKAGE_NAME=ovr
            PACKAGE_VERSION=1.0
            DEST_MODULE_LOCATION[0]=/extra
            MAKE[0]="make original"
            """, ctx);

        Assert.Equal("make from-override", conf.MakeCommand);
        Assert.False(conf.Autoinstall);
    }

    [Theory]
    [InlineData("debian", "/updates/dkms")]
    [InlineData("ubuntu", "/updates/dkms")]
    [InlineData("rhel centos fedora", "/extra")]
    [InlineData("opensuse suse", "/updates")]
    [InlineData("gentoo", "/kernel/extra")]
    public async Task Read_Distribution_OverridesDestination(string distribution, string expected)
    {
        var conf = await Read("""
            PACKAGE_NAME=d
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/kernel/extra
            """, Context(distribution: distribution));

        Assert.Equal(expected, conf.Modules[0].DestLocation);
    }

    [Fact]
    public async Task Read_DeprecatedDirectives_Reported()
    {
        var conf = await Read("""
            PACKAGE_NAME=d
            PACKAGE_VERSION=1
            DEST_MODULE_LOCATION[0]=/kernel/extra
            REMAKE_INITRD=yes
            CLEAN="make clean"
            """);

        Assert.Contains(conf.Deprecations, d => d.StartsWith("REMAKE_INITRD (", StringComparison.Ordinal));
        Assert.DoesNotContain(conf.Deprecations, d => d.StartsWith("CLEAN (", StringComparison.Ordinal)); // 3.0.10 accepts it silently
    }

    [Fact]
    public async Task Read_MissingFile_Exit4()
    {
        var e = await Assert.ThrowsAsync<DkmsException>(() =>
            DkmsConfReader.ReadAsync(Path.Combine(_dir.Path, "nope", "dkms.conf"), Context(), strict: true));

        Assert.Equal(4, e.ExitCode);
    }

    public void Dispose() => _dir.Dispose();
}
