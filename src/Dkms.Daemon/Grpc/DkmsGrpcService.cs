using Dkms.Core.Actions;
using Dkms.Core.Platform;
using Dkms.Core.Sandbox;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Automation;
using Dkms.Daemon.Events;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Core.Commands;
using Dkms.Daemon.LiveStatus;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Grpc;

/// <summary>
/// The <c>dkms.v1.Dkms</c> service: status answered from memory (<see cref="StatusQuery"/>), reads from the job
/// registry, actions queued on the <see cref="ActionRunner"/> and streamed back as the engine prints them.
/// Authorization has already run (interceptor) when a method is entered.
/// </summary>
internal sealed class DkmsGrpcService(DaemonContext daemon, AuthorizationPolicy policy, IOptions<DaemonOptions> options,
    ActionRunner runner, JobManager jobs, EventBus bus, ReadAccess access, KernelBatches batches, IHostApplicationLifetime lifetime,
    StatusQuery status)
    : Protocol.V1.Dkms.DkmsBase
{
    /// <summary>The most kernels one Status request may name.</summary>
    public const int MaxStatusKernels = 64;

    /// <summary>ListJobs' page size when the request names none.</summary>
    public const int DefaultPageSize = 100;

    public override async Task<GetInfoResponse> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var settings = daemon.Settings;
        var caller = CallerAccessor.Get(context);
        var sandbox = await SandboxChoice.ForAsync(settings).ConfigureAwait(false);
        return new GetInfoResponse
        {
            Version = DkmsEngine.ToolVersion,
            CompatibleDkmsVersion = settings.Profile.VersionLine,
            DkmsProfile = settings.Profile.Name,
            DkmsProfileSource = settings.ProfileSource,
            Trees = new Trees
            {
                DkmsTree = settings.DkmsTree,
                SourceTree = settings.SourceTree,
                InstallTree = settings.InstallTree,
                FrameworkConf = settings.FrameworkConf,
            },
            Workers = (uint)options.Value.Workers,
            RunningKernel = SystemInfo.RunningKernel(),
            Arch = SystemInfo.MachineArch(),
            StartedAt = Timestamp.FromDateTimeOffset(daemon.StartedAt),
            Pid = Environment.ProcessId,
            SocketActivated = daemon.SocketActivated,
            Caller = CallerMapping.ToProto(caller, policy.MayModify(caller)),
            BuildSandbox = sandbox.Problem is { } why ? $"{sandbox} (cannot run here: {why})" : sandbox.ToString(),
        };
    }

    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        if (request.Kernels.Count > MaxStatusKernels)
        {
            // Each kernel multiplies the work and the answer: a bounded list keeps one caller from costing minutes of CPU.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {MaxStatusKernels} kernels in one status request."));
        }

        // As dkms's glob (and dkmsctl in-process): a kernel without an arch matches every arch.
        var kernels = request.Kernels.Count > 0 ? request.Kernels.Select(k => new TargetSpec(k.Kernel, k.Arch).ForStatus()).ToList() : null;
        var caller = CallerAccessor.Get(context);
        return await status.AnswerAsync(NullIfEmpty(request.Module), NullIfEmpty(request.Version), kernels, request.View,
            access.ModuleFilter(caller), context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        // Only the jobs the caller could see in the tree itself (ReadAccess), before paging.
        var caller = CallerAccessor.Get(context);
        var mayList = access.ModuleFilter(caller);
        var all = jobs.List([.. request.States], NullIfEmpty(request.Module))
            .Where(j => mayList is null || ReadAccess.IsOwn(caller, j) || mayList(j.Key?.Module)).ToList();
        var after = request.PageToken.Length > 0 ? JobStore.Number(request.PageToken) : long.MaxValue;
        var size = request.PageSize > 0 ? (int)Math.Min(request.PageSize, 1000) : DefaultPageSize;
        var page = all.Where(j => JobStore.Number(j.Id) < after).Take(size + 1).ToList();
        var response = new ListJobsResponse();
        response.Jobs.Add(page.Take(size).Select(j => access.ForCaller(caller, j)));
        if (page.Count > size)
        {
            response.NextPageToken = page[size - 1].Id;
        }

        return Task.FromResult(response);
    }

    public override Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        var caller = CallerAccessor.Get(context);
        return Task.FromResult(access.ForCaller(caller, Visible(Find(request.Id), context).Snapshot()));
    }

    public override Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        var record = Find(request.Id);
        if (!record.IsFinished && record.Run is { } run)
        {
            run.Cancel();
            return WaitFinishedAsync(record, context.CancellationToken);
        }

        return Task.FromResult(record.Snapshot());
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        using var subscription = bus.Subscribe(request.AfterSequence, NullIfEmpty(request.Module));
        // Headers now: the client knows it is subscribed (nothing from here on is missed) before the first event.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        using var ends = EndsAtShutdown(context);
        try
        {
            var caller = CallerAccessor.Get(context);
            await foreach (var e in subscription.Reader.ReadAllAsync(ends.Token).ConfigureAwait(false))
            {
                if (access.ForCaller(caller, e) is { } seen)
                {
                    await responseStream.WriteAsync(seen, ends.Token).ConfigureAwait(false);
                }
            }
        }
        catch (SubscriberOverflowException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
        catch (OperationCanceledException) when (ends.IsCancellationRequested)
        {
            // the watcher went away, or dkmsd is stopping: the stream ends now rather than holding the shutdown
        }
    }

    public override async Task StreamLog(StreamLogRequest request, IServerStreamWriter<OutputLine> responseStream, ServerCallContext context)
    {
        var record = Visible(Find(request.JobId), context);
        var (lines, live, stop) = record.Follow(request.Follow);
        using var ends = EndsAtShutdown(context);
        try
        {
            foreach (var line in lines ?? jobs.Store.ReadLines(record.Id))
            {
                await responseStream.WriteAsync(line, context.CancellationToken).ConfigureAwait(false);
            }

            if (live is not null)
            {
                await foreach (var line in live.ReadAllAsync(ends.Token).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(line, ends.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ends.IsCancellationRequested)
        {
            // the reader went away, or dkmsd is stopping
        }
        finally
        {
            stop();
        }
    }

    public override Task Add(AddRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task Build(BuildRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task Install(InstallRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task Uninstall(ModuleActionRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request, DkmsAction.Uninstall), request.Detach, responseStream, context);

    public override Task Unbuild(ModuleActionRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request, DkmsAction.Unbuild), request.Detach, responseStream, context);

    public override Task Remove(ModuleActionRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request, DkmsAction.Remove), request.Detach, responseStream, context);

    /// <summary>
    /// Autoinstall joins or starts the kernel's batch (<see cref="KernelBatches"/>) and streams it until the
    /// kernel has settled. A caller that goes away does not stop the batch: other callers and the daemon wait on it.
    /// </summary>
    public override async Task Autoinstall(AutoinstallRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context)
    {
        if (!Core.Platform.SystemInfo.IsRoot())
        {
            // dkmsd runs as root; a daemon started by a user cannot install modules (dkms's check, in-process too).
            throw new Core.Errors.DkmsException(Core.Errors.DkmsErrorKind.PermissionDenied, 1, Core.Output.DkmsMessages.Default.NotRoot());
        }

        var command = ProtoMapping.ToCommand(request);
        var target = TargetSpec.Resolve(command.Target, SystemInfo.RunningKernel());
        var batch = batches.StartOrJoin(target, CallerMapping.ToProto(CallerAccessor.Get(context), mayModify: true), command.Options);
        if (request.Detach)
        {
            return;
        }

        await foreach (var e in batch.Follow().ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(e, context.CancellationToken).ConfigureAwait(false);
        }

        var result = await batch.Completion.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        ThrowIfInterruptedByShutdown(result.ExitCode);
        await responseStream.WriteAsync(new ActionEvent { Result = new ActionResult { ExitCode = result.ExitCode } }, context.CancellationToken)
            .ConfigureAwait(false);
    }

    public override Task Match(MatchRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task MkTarball(MkTarballRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task LdTarball(LdTarballRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task GenerateMok(GenerateMokRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    public override Task RemoveKernel(RemoveKernelRequest request, IServerStreamWriter<ActionEvent> responseStream, ServerCallContext context) =>
        RunAsync(ProtoMapping.ToCommand(request), request.Detach, responseStream, context);

    /// <summary>Preflight answers in one message (not a job: nothing changes in the tree); a build's rights (see the contract).</summary>
    public override Task<PreflightResponse> Preflight(PreflightRequest request, ServerCallContext context) =>
        PreflightAnswer.RunAsync(daemon, request, context.CancellationToken);

    /// <summary>
    /// Queues the command and streams its events. With <c>detach</c> the stream ends once its jobs are
    /// queued; otherwise a caller that goes away cancels the command.
    /// </summary>
    private async Task RunAsync(DkmsCommand command, bool detach, IServerStreamWriter<ActionEvent> stream, ServerCallContext context)
    {
        var caller = CallerAccessor.Get(context);
        var run = runner.Start(command, CallerMapping.ToProto(caller, mayModify: true));
        if (detach)
        {
            run.Detach();
            foreach (var job in run.Jobs)
            {
                await stream.WriteAsync(new ActionEvent { Job = job.Snapshot() }, context.CancellationToken).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await foreach (var e in run.Events.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (e.EventCase == ActionEvent.EventOneofCase.Result)
                {
                    ThrowIfInterruptedByShutdown(e.Result.ExitCode);
                }

                await stream.WriteAsync(e, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            run.Cancel(); // the caller is gone (Ctrl-C, killed): stop its work, as an interrupted dkms would
        }
    }

    /// <summary>
    /// A request that dkmsd's own shutdown cancelled did not fail: it ends as UNAVAILABLE, not with a result, so
    /// that the client waits for the restarted daemon and runs it again (a package's postinst must not fail
    /// because of <c>systemctl restart dkmsd</c>).
    /// </summary>
    private void ThrowIfInterruptedByShutdown(int exitCode)
    {
        // A batch whose jobs were cancelled ends with 11, a single action with 130: any failure while stopping counts.
        if (exitCode != 0 && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "dkmsd is stopping; the request was interrupted and changed nothing half-way."));
        }
    }

    /// <summary>A streaming call's token that also ends when dkmsd stops, so no open stream holds up the shutdown.</summary>
    private CancellationTokenSource EndsAtShutdown(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    private JobRecord Find(string id) =>
        jobs.Get(id) ?? throw NoSuchJob(id);

    private static RpcException NoSuchJob(string id) => new(new Status(StatusCode.NotFound, $"No job {id} (unknown, or gone from the history)."));

    /// <summary>The job, or the same NOT_FOUND as an unknown id when the caller may not see it (its existence is not told).</summary>
    private JobRecord Visible(JobRecord record, ServerCallContext context) =>
        access.MaySee(CallerAccessor.Get(context), record.Snapshot()) ? record : throw NoSuchJob(record.Id);

    private static async Task<Job> WaitFinishedAsync(JobRecord record, CancellationToken ct)
    {
        var run = record.Run!;
        try
        {
            await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // returned in its current state
        }

        return record.Snapshot();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
