using Dkms.Core.Framework;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Automation;
using Dkms.Daemon.Events;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Daemon.LiveStatus;
using Dkms.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dkms.Daemon.Tests.Grpc;

public sealed class DkmsGrpcServiceTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private JobManager? _jobs;

    private DkmsGrpcService Service()
    {
        var context = new DaemonContext();
        context.Initialize(new DkmsSettings
        {
            DkmsTree = _trees.DkmsTree,
            SourceTree = _trees.SourceTree,
            InstallTree = _trees.InstallTree,
            FrameworkConf = _trees.FrameworkConf,
        }, DateTimeOffset.UnixEpoch);
        var options = Microsoft.Extensions.Options.Options.Create(new DaemonOptions { Workers = 3 });
        var bus = new EventBus(TimeProvider.System);
        var jobs = _jobs = new JobManager(bus, TimeProvider.System, NullLogger<JobManager>.Instance);
        jobs.Load(Path.Combine(_trees.DkmsTree, ".dkmsd", "jobs"));
        var runner = new ActionRunner(context, jobs, bus, options, TimeProvider.System, new TestLifetime(), NullLogger<ActionRunner>.Instance);
        var batches = new KernelBatches(context, runner, bus, TimeProvider.System, NullLogger<KernelBatches>.Instance);
        // Never started: without inotify the status state reads the disk on every call, as these tests expect.
        var status = new StatusQuery(context, new StatusState(context, bus, NullLogger<StatusState>.Instance));
        var policy = new AuthorizationPolicy(options);
        return new DkmsGrpcService(context, policy, options, runner, jobs, bus, new ReadAccess(policy, context, options), batches, new TestLifetime(), status);
    }

    private void AddedModule(string name, string version)
    {
        _trees.SourceModule(name, version);
        var dir = Path.Combine(_trees.DkmsTree, name, version);
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "source"), Path.Combine(_trees.SourceTree, $"{name}-{version}"));
    }

    [Fact]
    public async Task GetInfo_NobodyCalls_ReportsTreesWorkersAndReadOnlyCaller()
    {
        var context = new TestServerCallContext("/dkms.v1.Dkms/GetInfo", new CallerCredentials(42, 65534, 65534, []));

        var info = await Service().GetInfo(new GetInfoRequest(), context).WithTimeout();

        Assert.Equal(_trees.DkmsTree, info.Trees.DkmsTree);
        Assert.Equal(_trees.SourceTree, info.Trees.SourceTree);
        Assert.Equal(_trees.InstallTree, info.Trees.InstallTree);
        Assert.Equal(3u, info.Workers);
        Assert.Equal(65534u, info.Caller.Uid);
        Assert.False(info.Caller.MayModify);
        Assert.Equal(Environment.ProcessId, info.Pid);
        Assert.StartsWith("dkmsd-", info.Version, StringComparison.Ordinal);
        Assert.StartsWith("bwrap as ", info.BuildSandbox, StringComparison.Ordinal); // bubblewrap is a test prerequisite
    }

    [Fact]
    public async Task Status_EmptyTree_NoEntriesNoLines()
    {
        var status = await Service().Status(new StatusRequest(), new TestServerCallContext("/dkms.v1.Dkms/Status", null)).WithTimeout();

        Assert.Empty(status.Entries);
        Assert.Empty(status.Lines);
    }

    [Fact]
    public async Task Status_AddedAndBroken_EntriesAndDkmsLines()
    {
        AddedModule("alpha", "1.0");
        _trees.BrokenModule("beta", "2.0");

        var status = await Service().Status(new StatusRequest(), new TestServerCallContext("/dkms.v1.Dkms/Status", null)).WithTimeout();

        Assert.Equal([("alpha", "1.0", ModuleState.Added), ("beta", "2.0", ModuleState.Broken)],
            status.Entries.Select(e => (e.Module.Name, e.Module.Version, e.State)));
        Assert.Equal(
            [
                (OutputStream.Stdout, "alpha/1.0: added"),
                (OutputStream.Stdout, "beta/2.0: broken"),
                (OutputStream.Stderr, "Error! beta/2.0: Missing the module source directory or the symbolic link pointing to it."),
                (OutputStream.Stderr, "Manual intervention is required!"),
            ],
            status.Lines.Select(l => (l.Stream, l.Text)));
    }

    [Fact]
    public async Task Status_ModuleFilter_OnlyThatModule()
    {
        AddedModule("alpha", "1.0");
        AddedModule("gamma", "3.0");

        var status = await Service().Status(new StatusRequest { Module = "gamma" }, new TestServerCallContext("/dkms.v1.Dkms/Status", null))
            .WithTimeout();

        Assert.Equal("gamma/3.0: added", Assert.Single(status.Lines).Text);
    }

    [Fact]
    public async Task Status_InvalidKernelName_ThrowsInvalidArgument()
    {
        var request = new StatusRequest { Kernels = { new KernelTarget { Kernel = "../etc" } } };

        var e = await Assert.ThrowsAsync<Core.Errors.DkmsException>(() =>
            Service().Status(request, new TestServerCallContext("/dkms.v1.Dkms/Status", null))).WithTimeout();

        Assert.Equal(Core.Errors.DkmsErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public async Task ListJobs_PageSize_NewestFirstWithTokenToTheRest()
    {
        var service = Service();
        using var run = new ActionRun("r1", new Core.Commands.GenerateMokCommand(), null, CancellationToken.None);
        var ids = Enumerable.Range(0, 5).Select(_ => _jobs!.Create(run, new JobKey { Module = "m" }).Id).ToList();
        var context = new TestServerCallContext("/dkms.v1.Dkms/ListJobs", null);

        var first = await service.ListJobs(new ListJobsRequest { PageSize = 2 }, context).WithTimeout();
        var rest = await service.ListJobs(new ListJobsRequest { PageSize = 10, PageToken = first.NextPageToken }, context).WithTimeout();

        Assert.Equal([ids[4], ids[3]], first.Jobs.Select(j => j.Id));
        Assert.Equal([ids[2], ids[1], ids[0]], rest.Jobs.Select(j => j.Id));
        Assert.Equal(string.Empty, rest.NextPageToken);
    }

    [Fact]
    public async Task GetJobAndStreamLog_UnknownJob_NotFound()
    {
        var service = Service();

        var e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() =>
            service.GetJob(new GetJobRequest { Id = "404" }, new TestServerCallContext("/dkms.v1.Dkms/GetJob", null))).WithTimeout();

        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task CancelJob_FinishedJob_ReturnedAsItIs()
    {
        var service = Service();
        using var run = new ActionRun("r1", new Core.Commands.GenerateMokCommand(), null, CancellationToken.None);
        var job = _jobs!.Create(run, new JobKey { Module = "m" });
        _jobs.Finish(job, JobState.Succeeded, 0, string.Empty, null);

        var after = await service.CancelJob(new CancelJobRequest { Id = job.Id }, new TestServerCallContext("/dkms.v1.Dkms/CancelJob", null)).WithTimeout();

        Assert.Equal(JobState.Succeeded, after.State);
        Assert.False(run.IsCancelled);
    }
}
