using Dkms.Core.Artifacts;

namespace Dkms.Core.Tests.Artifacts;

/// <summary>A registry that failed as a whole is left alone for a minute, then asked again; one that answered is at once.</summary>
public sealed class RegistryOutagesTests
{
    private static readonly Uri Registry = new("http://127.0.0.1:5000/dkms");

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Recent_WithinTheWindow_SaysHowLongAgoAndWhy()
    {
        var time = new ManualTime();
        var outages = new RegistryOutages(time);
        outages.Failed(Registry, "no answer in time");

        time.Now += TimeSpan.FromSeconds(20);

        Assert.Equal((TimeSpan.FromSeconds(20), "no answer in time"), outages.Recent(Registry));
        Assert.Null(outages.Recent(new Uri("http://127.0.0.1:5001/dkms"))); // another registry
    }

    [Fact]
    public void Recent_AfterTheWindow_AskedAgain()
    {
        var time = new ManualTime();
        var outages = new RegistryOutages(time);
        outages.Failed(Registry, "503");

        time.Now += RegistryOutages.Window;

        Assert.Null(outages.Recent(Registry));
    }

    [Fact]
    public void Answered_AfterAFailure_Forgotten()
    {
        var outages = new RegistryOutages(new ManualTime());
        outages.Failed(Registry, "503");

        outages.Answered(Registry);

        Assert.Null(outages.Recent(Registry));
    }
}
