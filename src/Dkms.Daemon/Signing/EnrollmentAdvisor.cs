using Dkms.Core.Platform;
using Dkms.Core.Signing;
using Dkms.Daemon.Events;
using Dkms.Daemon.Settings;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Signing;

/// <summary>
/// After a successful build or install, and when a kernel settles, checks whether the kernel would refuse the modules
/// (Secure Boot on, the signing certificate not enrolled) and publishes <see cref="SigningAdvice"/>: dkms-notify turns it
/// into one notification with the mokutil command, before the user reboots into modules that will not load.
/// </summary>
internal sealed class EnrollmentAdvisor(DaemonContext daemon, EventBus bus, SystemFacts facts) : BackgroundService
{
    private Subscription? _subscription;

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
        var moment = e.KindCase switch
        {
            Event.KindOneofCase.KernelSettled => true,
            Event.KindOneofCase.JobFinished => e.JobFinished.Job is { State: JobState.Succeeded } job
                && job.Action is Protocol.V1.Action.Build or Protocol.V1.Action.Install or Protocol.V1.Action.Autoinstall,
            _ => false,
        };
        if (!moment)
        {
            return null;
        }

        var certificate = MokKeys.SigningCertificate(daemon.Settings, facts);
        if (SecureBoot.EnrollmentAdvice(facts.EfiVarsDir, certificate) is not { } advice)
        {
            return null;
        }

        var signing = new SigningAdvice { Certificate = certificate, Advice = advice };
        bus.Publish(new Event { SigningAdvice = signing });
        return signing;
    }
}
