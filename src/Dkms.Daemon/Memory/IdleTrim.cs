using Dkms.Daemon.Jobs;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Memory;

/// <summary>
/// Gives the heap back to the system when dkmsd is idle: a daemon that waits for the next kernel most of its life should
/// not keep what start-up, a build's output or a burst of status calls left behind. Every <see cref="Check"/>, when no
/// job is queued or running and more than <see cref="Threshold"/> was allocated since the last trim, one aggressive
/// (compacting, decommitting) collection.
/// </summary>
internal sealed class IdleTrim(JobManager jobs, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Check = TimeSpan.FromSeconds(30);

    public const long Threshold = 1 << 20;

    private static readonly JobState[] Active = [JobState.Queued, JobState.Running];

    private long _allocatedAtTrim;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Check, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                TrimIfIdle();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check; true when it collected.</summary>
    public bool TrimIfIdle()
    {
        if (GC.GetTotalAllocatedBytes() - _allocatedAtTrim < Threshold || jobs.List(Active, module: null).Count > 0)
        {
            return false;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _allocatedAtTrim = GC.GetTotalAllocatedBytes();
        return true;
    }
}
