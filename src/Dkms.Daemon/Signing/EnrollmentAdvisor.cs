using Dkms.Core.Platform;
using Dkms.Core.Signing;
using Dkms.Daemon.Events;
using Dkms.Daemon.Settings;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Signing;

/// <summary>
/// After a successful build or install, and when a kernel settles, checks whether the kernel would refuse the modules
/// (Secure Boot on, the signing certificate not enrolled) and publishes <see cref="SigningAdvice"/>: dkms-notify turns it
/// into one notification with the mokutil command, before the user reboots into modules that will not load. Builds repeat
/// it only when it changed; a settled kernel always does.
/// </summary>
internal sealed class EnrollmentAdvisor(DaemonContext daemon, EventBus bus, SystemFacts facts) : BackgroundService
{
    private Subscription? _subscription;
    private string? _lastAdvice;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(); // before the socket listens: no job finishes unseen
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in _subscription!.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Consider(e);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SubscriberOverflowException)
        {
            // stopping, or fell behind a burst of events: the next kernel or build asks again
        }
    }

    /// <summary>Publishes the advice when <paramref name="e"/> is a moment to give it and there is advice to give.</summary>
    public SigningAdvice? Consider(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var settled = e.KindCase == Event.KindOneofCase.KernelSettled;
        var built = e.KindCase == Event.KindOneofCase.JobFinished && e.JobFinished.Job is { State: JobState.Succeeded } job
            && job.Action is Protocol.V1.Action.Build or Protocol.V1.Action.Install or Protocol.V1.Action.Autoinstall;
        if (!settled && !built)
        {
            return null;
        }

        var certificate = MokKeys.SigningCertificate(daemon.Settings, facts);
        var advice = SecureBoot.EnrollmentAdvice(facts.EfiVarsDir, certificate);
        var repeat = advice == Interlocked.Exchange(ref _lastAdvice, advice);
        if (advice is null || (repeat && !settled))
        {
            return null; // a batch's builds say it once; a settled kernel (the moment before a reboot) says it again
        }

        var signing = new SigningAdvice { Certificate = certificate, Advice = advice };
        bus.Publish(new Event { SigningAdvice = signing });
        return signing;
    }
}
