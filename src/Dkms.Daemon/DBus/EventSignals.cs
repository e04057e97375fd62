using Dkms.Protocol.V1;

namespace Dkms.Daemon.DBus;

/// <summary>Maps events of the <see cref="Events.EventBus"/> to the signals of <c>org.dkmsd.Daemon1.xml</c>.</summary>
/// <remarks>Not thread-safe: one reader (the D-Bus service's event loop) feeds it in sequence order.</remarks>
internal sealed class EventSignals
{
    private readonly KernelOutcomes _outcomes = new();

    /// <summary>The signal for <paramref name="e"/>, or null when the event has none (job phases).</summary>
    public DBusSignal? Map(Event e)
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
                _outcomes.JobFinished(job);
                var k = job.Key ?? new JobKey();
                return new DBusSignal("JobFinished", "sssssssiss",
                [
                    job.Id, Text(job.Action), k.Module, k.Version, k.Kernel, k.Arch, StateText(job.State), job.ExitCode,
                    job.FirstErrorLine, job.LogPath,
                ]);
            case Event.KindOneofCase.KernelDetected:
                var detected = e.KernelDetected;
                _outcomes.Detected(detected.Kernel?.Kernel ?? string.Empty);
                return new DBusSignal("KernelDetected", "sss",
                    [detected.Kernel?.Kernel ?? string.Empty, detected.Kernel?.Arch ?? string.Empty, detected.HeadersDir]);
            case Event.KindOneofCase.KernelSettled:
                var kernel = e.KernelSettled.Kernel?.Kernel ?? string.Empty;
                var failed = _outcomes.Failed(kernel);
                return new DBusSignal("KernelSettled", "ssbas", [kernel, e.KernelSettled.Kernel?.Arch ?? string.Empty, failed.Length == 0, failed]);
            case Event.KindOneofCase.ModuleAdded:
                return new DBusSignal("ModuleAdded", "ss", [e.ModuleAdded.Module?.Name ?? string.Empty, e.ModuleAdded.Module?.Version ?? string.Empty]);
            case Event.KindOneofCase.ModuleRemoved:
                return new DBusSignal("ModuleRemoved", "ss", [e.ModuleRemoved.Module?.Name ?? string.Empty, e.ModuleRemoved.Module?.Version ?? string.Empty]);
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
