using Dkms.Daemon.Events;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Memory;
using Dkms.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dkms.Daemon.Tests.Memory;

public sealed class IdleTrimTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dkmsd-trim-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrimIfIdle_CollectsOnlyWhenIdleAndSomethingWasAllocatedSince()
    {
        var jobs = new JobManager(new EventBus(TimeProvider.System), TimeProvider.System, NullLogger<JobManager>.Instance);
        jobs.Load(_dir);
        var trim = new IdleTrim(jobs, TimeProvider.System);
        Allocate();
        var collections = GC.CollectionCount(GC.MaxGeneration);

        Assert.True(trim.TrimIfIdle());
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
        Assert.False(trim.TrimIfIdle()); // nothing new since

        using var run = new ActionRun("r1", new Core.Commands.GenerateMokCommand(), null, CancellationToken.None);
        var job = jobs.Create(run, new JobKey { Module = "m", Version = "1" });
        Allocate();
        Assert.False(trim.TrimIfIdle()); // a job is queued: its build may be allocating
        jobs.Start(job);
        Assert.False(trim.TrimIfIdle());
        jobs.Finish(job, JobState.Succeeded, 0, string.Empty, null);
        Assert.True(trim.TrimIfIdle());
    }

    private static void Allocate()
    {
        for (var i = 0; i < 4; i++)
        {
            GC.KeepAlive(new byte[IdleTrim.Threshold]);
        }
    }
}
