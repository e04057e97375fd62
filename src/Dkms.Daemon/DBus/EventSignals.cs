using Dkms.Protocol.V1;

namespace Dkms.Daemon.DBus;

/// <summary>Maps events of the <see cref="Events.EventBus"/> to the signals of <c>org.dkmsd.Daemon1.xml</c>.</summary>
internal static class EventSignals
{
    /// <summary>The signal for <paramref name="e"/>, or null when the event has none (job phases).</summary>
    public static DBusSignal? Map(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.KindCase)
        {
            case Event.KindOneofCase.JobQueued:
                return JobSignal("JobQueued", e.JobQueued.Job);
            case Event.KindOneofCase.JobStarted:
                return JobSignal("JobStarted", e.JobStarted.Job);
            case Event.KindOneofCase.JobFinished:
                var job = e.JobFinished.Job;
                var k = job.Key ?? new JobKey();
                return new DBusSignal("JobFinished", "sssssssiss",
                [
                    job.Id, Text(job.Action), k.Module, k.Version, k.Kernel, k.Arch, StateText(job.State), job.ExitCode,
                    job.FirstErrorLine, job.LogPath,
                ]);
            case Event.KindOneofCase.KernelDetected:
                var detected = e.KernelDetected;
                return new DBusSignal("KernelDetected", "sss",
                    [detected.Kernel?.Kernel ?? string.Empty, detected.Kernel?.Arch ?? string.Empty, detected.HeadersDir]);
            case Event.KindOneofCase.KernelSettled:
                // The batch that settled the kernel says what failed (module/version); the signal repeats it.
                var settled = e.KernelSettled;
                return new DBusSignal("KernelSettled", "ssbas",
                    [settled.Kernel?.Kernel ?? string.Empty, settled.Kernel?.Arch ?? string.Empty, settled.AllSucceeded, settled.FailedModules.Order(StringComparer.Ordinal).ToArray()]);
            case Event.KindOneofCase.ModuleAdded:
                return new DBusSignal("ModuleAdded", "ss", [e.ModuleAdded.Module?.Name ?? string.Empty, e.ModuleAdded.Module?.Version ?? string.Empty]);
            case Event.KindOneofCase.ModuleRemoved:
                return new DBusSignal("ModuleRemoved", "ss", [e.ModuleRemoved.Module?.Name ?? string.Empty, e.ModuleRemoved.Module?.Version ?? string.Empty]);
            case Event.KindOneofCase.SigningAdvice:
                return new DBusSignal("SigningKeyNotEnrolled", "ss", [e.SigningAdvice.Certificate, e.SigningAdvice.Advice]);
            default:
                return null; // job phases and kernel removal have no signal (yet)
        }
    }

    /// <summary>succeeded, failed, cancelled, skipped, interrupted, queued, running.</summary>
    public static string StateText(JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>dkms's verb for an action: build, install, mktarball, generate_mok, remove_kernel, ...</summary>
    public static string Text(Protocol.V1.Action action) => action switch
    {
        Protocol.V1.Action.GenerateMok => "generate_mok",
        Protocol.V1.Action.RemoveKernel => "remove_kernel",
        _ => action.ToString().ToLowerInvariant(),
    };

    private static DBusSignal JobSignal(string member, Job job)
    {
        var k = job.Key ?? new JobKey();
        return new DBusSignal(member, "ssssss", [job.Id, Text(job.Action), k.Module, k.Version, k.Kernel, k.Arch]);
    }
}
