using Dkms.Core.Framework;
using Dkms.Core.Platform;
using Dkms.Daemon.DBus;
using Dkms.Daemon.Events;
using Dkms.Daemon.Settings;
using Dkms.Daemon.Signing;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Signing;

/// <summary>dkmsd says, after builds and when a kernel settles, when Secure Boot would refuse its modules; dkms-notify shows it.</summary>
public sealed class EnrollmentAdvisorTests : IDisposable
{
    private const string SecureBoot = "SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
    private const string MokList = "MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23";

    private readonly string _root = Directory.CreateTempSubdirectory("dkmsd-advice-").FullName;
    private readonly EventBus _bus = new(TimeProvider.System);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string EfiVars => Path.Combine(_root, "efivars");

    private string Certificate => Path.Combine(_root, "dkms", "mok.pub");

    private EnrollmentAdvisor Advisor()
    {
        Directory.CreateDirectory(EfiVars);
        Directory.CreateDirectory(Path.GetDirectoryName(Certificate)!);
        File.WriteAllBytes(Certificate, [0x30, 0x82, 9, 8, 7]);
        var context = new DaemonContext();
        context.Initialize(new DkmsSettings { DkmsTree = Path.Combine(_root, "dkms") }, DateTimeOffset.UnixEpoch);
        var facts = new SystemFacts("6.1.0-1-amd64", "x86_64", IsRoot: true, Distribution: "debian") { EfiVarsDir = EfiVars };
        return new EnrollmentAdvisor(context, _bus, facts);
    }

    private static Event Finished(Protocol.V1.Action action, JobState state) =>
        new() { JobFinished = new JobEvent { Job = new Job { Id = "1", Action = action, State = state } } };

    [Fact]
    public void Consider_SecureBootOnKeyNotEnrolled_PublishedAfterBuildsAndSettledKernelsOnly()
    {
        var advisor = Advisor();
        File.WriteAllBytes(Path.Combine(EfiVars, SecureBoot), [6, 0, 0, 0, 1]);
        using var events = _bus.Subscribe();

        Assert.NotNull(advisor.Consider(Finished(Protocol.V1.Action.Install, JobState.Succeeded)));
        Assert.Null(advisor.Consider(Finished(Protocol.V1.Action.Build, JobState.Succeeded))); // the batch said it already
        Assert.Null(advisor.Consider(Finished(Protocol.V1.Action.Install, JobState.Failed)));
        Assert.Null(advisor.Consider(Finished(Protocol.V1.Action.Remove, JobState.Succeeded)));
        Assert.NotNull(advisor.Consider(new Event { KernelSettled = new KernelEvent { AllSucceeded = true } }));

        var published = new List<Event>();
        while (events.Reader.TryRead(out var e))
        {
            published.Add(e);
        }

        Assert.Equal(2, published.Count);
        var advice = published[0].SigningAdvice;
        Assert.Equal(Certificate, advice.Certificate);
        Assert.Contains($"'mokutil --import {Certificate}'", advice.Advice, StringComparison.Ordinal);

        var signal = EventSignals.Map(published[0]);
        Assert.NotNull(signal);
        Assert.Equal(("SigningKeyNotEnrolled", "ss"), (signal.Member, signal.Signature));
    }

    [Fact]
    public void Consider_EnrolledOrSecureBootOff_NothingPublished()
    {
        var advisor = Advisor();
        Assert.Null(advisor.Consider(Finished(Protocol.V1.Action.Build, JobState.Succeeded))); // no Secure Boot variable at all

        File.WriteAllBytes(Path.Combine(EfiVars, SecureBoot), [6, 0, 0, 0, 1]);
        File.WriteAllBytes(Path.Combine(EfiVars, MokList), [6, 0, 0, 0, 1, 2, .. File.ReadAllBytes(Certificate)]);
        Assert.Null(advisor.Consider(Finished(Protocol.V1.Action.Build, JobState.Succeeded)));
    }
}
