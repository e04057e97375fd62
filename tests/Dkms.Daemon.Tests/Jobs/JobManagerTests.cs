using Dkms.Daemon.Events;
using Dkms.Daemon.Jobs;
using Dkms.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dkms.Daemon.Tests.Jobs;

public sealed class JobManagerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dkmsd-jobs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private JobManager Manager(EventBus? bus = null)
    {
        var jobs = new JobManager(bus ?? new EventBus(TimeProvider.System), TimeProvider.System, NullLogger<JobManager>.Instance);
        jobs.Load(_dir);
        return jobs;
    }

    private static ActionRun Run() => new("r1", new Core.Commands.GenerateMokCommand(), null, CancellationToken.None);

    [Fact]
    public void Lifecycle_QueuedStartedPhaseFinished_EventsInOrderAndRecordSaved()
    {
        var bus = new EventBus(TimeProvider.System);
        using var sub = bus.Subscribe();
        var jobs = Manager(bus);
        using var run = Run();

        var job = jobs.Create(run, new JobKey { Module = "m", Version = "1" });
        jobs.Start(job);
        jobs.Phase(job, "make", "/x/make.log");
        jobs.Finish(job, JobState.Failed, 10, "a.c:1: error: x", "/x/make.log");
        jobs.Finish(job, JobState.Succeeded, 0, "", null); // a second finish changes nothing

        var kinds = new List<Event.KindOneofCase>();
        while (sub.Reader.TryRead(out var e))
        {
            kinds.Add(e.KindCase);
        }

        Assert.Equal([Event.KindOneofCase.JobQueued, Event.KindOneofCase.JobStarted, Event.KindOneofCase.JobPhase, Event.KindOneofCase.JobFinished], kinds);
        var saved = Job.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(_dir, job.Id + ".job")));
        Assert.Equal((JobState.Failed, 10, "a.c:1: error: x", "/x/make.log"), (saved.State, saved.ExitCode, saved.FirstErrorLine, saved.LogPath));
        Assert.Equal(["queued", "running", "make"], saved.Phases.Select(p => p.Name));
        Assert.All(saved.Phases, p => Assert.NotNull(p.FinishedAt));
    }

    [Fact]
    public void FirstError_SandboxRefusedTheBuild_ThatLineRatherThanMakesOwn()
    {
        var jobs = Manager();
        using var run = Run();
        var job = jobs.Create(run, new JobKey { Module = "m" });
        jobs.Start(job);
        var log = Path.Combine(_dir, "make.log");
        File.WriteAllText(log, "cp: cannot create regular file '/etc/x': Read-only file system\nmake: *** [Makefile:3: all] Error 1\n");
        jobs.AppendLines(job,
        [
            new OutputLine { Stream = OutputStream.Stderr, Text = "Error! Bad return status for module build on kernel: 6.1.0-1-amd64 (x86_64)" },
            new OutputLine { Stream = OutputStream.Stderr, Text = "The build sandbox refused writing /etc/x (Read-only file system): ..." },
        ]);

        var first = FirstError.Find(job, log, jobs.Store);

        Assert.Equal("The build sandbox refused writing /etc/x (Read-only file system): ...", first);
        File.WriteAllText(log, "a.c:1: error: x\n");
        using var run2 = Run();
        var plain = jobs.Create(run2, new JobKey { Module = "m" });
        jobs.Start(plain);
        jobs.AppendLines(plain, [new OutputLine { Stream = OutputStream.Stderr, Text = "Error! Bad return status" }]);
        Assert.Equal("a.c:1: error: x", FirstError.Find(plain, log, jobs.Store)); // without a refusal, the compiler's first error
    }

    [Fact]
    public void Load_JobLeftRunningByAKilledDaemon_MarkedInterruptedAndIdsContinue()
    {
        var first = Manager();
        using var run = Run();
        var running = first.Create(run, new JobKey { Module = "m" });
        first.Start(running);
        first.AppendLines(running, [new OutputLine { Text = "half a build" }]);
        File.WriteAllBytes(Path.Combine(_dir, "99.job.tmp"), [1, 2, 3]); // a save cut short

        var second = Manager();
        var loaded = second.Get(running.Id)!.Snapshot();
        using var run2 = Run();
        var next = second.Create(run2, new JobKey());

        Assert.Equal(JobState.Interrupted, loaded.State);
        Assert.NotNull(loaded.FinishedAt);
        Assert.Equal(long.Parse(running.Id, System.Globalization.CultureInfo.InvariantCulture) + 1,
            long.Parse(next.Id, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("half a build", Assert.Single(second.Store.ReadLines(running.Id)).Text);
        Assert.False(File.Exists(Path.Combine(_dir, "99.job.tmp")));
    }

    [Fact]
    public void Load_CorruptRecord_SetAsideOthersLoaded()
    {
        var first = Manager();
        using var run = Run();
        var ok = first.Create(run, new JobKey { Module = "ok" });
        first.Finish(ok, JobState.Succeeded, 0, "", null);
        File.WriteAllBytes(Path.Combine(_dir, "7.job"), [0xff, 0xff, 0xff, 0xff]);

        var second = Manager();

        Assert.NotNull(second.Get(ok.Id));
        Assert.True(File.Exists(Path.Combine(_dir, "7.job.bad")));
    }

    [Fact]
    public void AppendLines_BuildLogAfterUnfinishedLine_StartsOnItsOwnLine()
    {
        var jobs = Manager();
        using var run = Run();
        var job = jobs.Create(run, new JobKey());

        jobs.AppendLines(job, [new OutputLine { Text = "make -j2 KERNELRELEASE=6.1.0-1-amd64 all...", NoNewline = true }]);
        jobs.AppendLines(job, [new OutputLine { Stream = OutputStream.BuildLog, Text = "CC x.o" }]);
        jobs.AppendLines(job, [new OutputLine { Text = string.Empty }]);

        Assert.Equal("make -j2 KERNELRELEASE=6.1.0-1-amd64 all...\nCC x.o\n\n", File.ReadAllText(jobs.Store.LogPath(job.Id)));
    }

    [Fact]
    public void AppendLines_ManyMegabytes_MemoryKeepsATailTheLogFileEverything()
    {
        var jobs = Manager();
        using var run = Run();
        var job = jobs.Create(run, new JobKey());
        var text = new string('x', 1000);

        for (var i = 0; i < 20_000; i++)
        {
            jobs.AppendLines(job, [new OutputLine { Stream = OutputStream.BuildLog, Text = $"{i} {text}" }]);
        }

        var (lines, _, stop) = job.Follow(follow: false);
        stop();
        Assert.NotNull(lines);
        Assert.True(lines.Sum(l => l.Text.Length) <= JobRecord.MaxCharsInMemory + 2000, $"{lines.Sum(l => l.Text.Length)} chars kept in memory");
        Assert.Matches(@"^\[… \d+ bytes cut …\]$", lines[0].Text);
        Assert.StartsWith("19999 ", lines[^1].Text, StringComparison.Ordinal);

        jobs.Finish(job, JobState.Succeeded, 0, string.Empty, null);
        var (after, _, stopAfter) = job.Follow(follow: false);
        stopAfter();
        Assert.Null(after); // a finished job's long output is read from its log file
        Assert.Equal(20_000, jobs.Store.ReadLines(job.Id).Count());
        Assert.StartsWith("0 x", jobs.Store.ReadLines(job.Id).First().Text, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreReadLines_LogWithoutNewlines_LinesCut()
    {
        var jobs = Manager();
        using var run = Run();
        var job = jobs.Create(run, new JobKey());
        File.WriteAllText(jobs.Store.LogPath(job.Id), "first\n" + new string('x', 1_000_000));

        var lines = jobs.Store.ReadLines(job.Id).ToList();

        Assert.Equal(2, lines.Count);
        Assert.Equal(("first", false), (lines[0].Text, lines[0].NoNewline));
        Assert.True(lines[1].NoNewline);
        Assert.EndsWith($" [… {1_000_000 - Core.Processes.ProcessRunner.MaxLineChars} bytes cut …]", lines[1].Text, StringComparison.Ordinal);
    }
}
