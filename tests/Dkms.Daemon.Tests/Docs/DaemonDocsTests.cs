using Dkms.Daemon.Options;
using Dkms.Tests.Shared;

namespace Dkms.Daemon.Tests.Docs;

/// <summary>dkmsd(8): generated from its option table, committed under share/, naming every option the command line takes.</summary>
public sealed class DaemonDocsTests
{
    private const string Page = "share/man/dkmsd.8";

    [Fact]
    public void Committed_IsWhatTheTableGenerates() => Assert.Null(GeneratedDocs.Stale(Page, DaemonManPage.Text()));

    [Fact]
    public void ManPage_DescribesEveryOptionTheCommandLineTakes()
    {
        var options = DaemonCommandLine.Switches.Keys.Concat(DaemonCommandLine.Flags.Keys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(options, DaemonCommandLine.Help.Keys.Order(StringComparer.Ordinal));
        Assert.All(DaemonCommandLine.Help, h => Assert.Equal(DaemonCommandLine.Switches.ContainsKey(h.Key), h.Value.Value is not null));

        var shown = DaemonManPage.Text().Replace("\\-", "-", StringComparison.Ordinal);
        Assert.All(options, o => Assert.Contains($"\\fB{o}\\fR", shown, StringComparison.Ordinal));
    }
}
