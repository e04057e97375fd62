using Dkms.Core.Actions;
using Dkms.Core.Output;

namespace Dkms.Core.Tests.Output;

/// <summary>
/// How the default words reach the two streams. The words themselves are checked against Debian's dkms in
/// Dkms.Cli.Tests (SideBySide) and by scripts/upstream-suite; these are the shapes those rely on.
/// </summary>
public sealed class DkmsOutputTests : IDisposable
{
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    [Fact]
    public void Default_IsDkms30()
    {
        Assert.Same(Dkms30Messages.Instance, new DkmsOutput(_stdout, _stderr).Messages);
        Assert.Same(Dkms30Messages.Instance, DkmsMessages.Default);
        Assert.Equal("dkms-3.0.10", DkmsMessages.Default.Version);
    }

    [Fact]
    public void ErrorAndWarning_NoBlankLineBefore_OneLinePerArgument()
    {
        var o = new DkmsOutput(_stdout, _stderr);

        o.Error("first", "second");
        o.Warn("careful");
        o.Deprecated("REMAKE_INITRD (x/dkms.conf)");

        Assert.Equal("Error! first\nsecond\nWarning: careful\nDeprecated feature: REMAKE_INITRD (x/dkms.conf)\n", _stderr.ToString());
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    [Fact]
    public void Module_ThreeSpellingsAsDkms30()
    {
        var mv = new ModuleRef("m", "1.0");
        var t = new KernelTarget("6.1.0-1-amd64", "x86_64");
        var words = DkmsMessages.Default;

        Assert.Equal("Module m 1.0 is not installed for kernel 6.1.0-1-amd64 (x86_64). Skipping...", words.NotInstalled(mv, t));
        Assert.Equal("Module m/1.0 already built for kernel 6.1.0-1-amd64 (x86_64), skip. You may override by specifying --force.", words.AlreadyBuilt(mv, t));
        Assert.Equal("Deleting module m-1.0 completely from the DKMS tree.", words.DeletingModule(mv));
    }

    [Fact]
    public void Step_EndsWithItsStatusOrNothing()
    {
        var words = DkmsMessages.Default;

        Assert.Equal("depmod...", words.StepStarted(words.Depmod));
        Assert.Equal(string.Empty, words.StepEnded(0));
        Assert.Equal("(bad exit status: 2)", words.StepEnded(2));
    }

    [Fact]
    public void ScriptAndModuleFile_PrecededByABlankLine()
    {
        var o = new DkmsOutput(_stdout, _stderr);

        o.Messages.RunningScript(o, "post_add");
        o.Messages.ModuleFile(o, "m.ko.xz");

        Assert.Equal("\nRunning the post_add script:\n\nm.ko.xz:\n", _stdout.ToString());
    }

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }
}
