using Dkms.Cli.CommandLine;
using Dkms.Core.Errors;
using Grpc.Core;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Cli.Remote;

/// <summary><c>jobs</c>, <c>watch</c>, <c>logs</c> and <c>cancel</c>: dkmsd's own verbs, which need a running daemon.</summary>
internal sealed class JobVerbs(DaemonConnection daemon, TextWriter stdout, TextWriter stderr)
{
    public async Task<int> RunAsync(string verb, DkmsArguments args, CancellationToken ct)
    {
        try
        {
            return verb switch
            {
                "jobs" => await JobsAsync(args.Json, ct).ConfigureAwait(false),
                "watch" => await WatchAsync(args.Module, ct).ConfigureAwait(false),
                "logs" => await LogsAsync(RequireJobId(verb, args), args.Follow, ct).ConfigureAwait(false),
                _ => await CancelAsync(RequireJobId(verb, args), ct).ConfigureAwait(false),
            };
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            return daemon.Report(e, stderr);
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
    }

    private static string RequireJobId(string verb, DkmsArguments args) =>
        args.Module is { Length: > 0 } id && args.Version is null
            ? id
            : throw new DkmsException(DkmsErrorKind.InvalidArgument, 1, $"Usage: dkmsctl {verb} JOB-ID{(verb == "logs" ? " [--follow]" : string.Empty)}",
                "('dkmsctl jobs' lists the jobs and their ids.)");

    private async Task<int> JobsAsync(bool json, CancellationToken ct)
    {
        var jobs = new List<V1.Job>();
        var token = string.Empty;
        do
        {
            var page = await daemon.Client.ListJobsAsync(new V1.ListJobsRequest { PageToken = token }, cancellationToken: ct).ConfigureAwait(false);
            jobs.AddRange(page.Jobs);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        await stdout.WriteAsync(json ? JobText.Json(jobs) + "\n" : JobText.Table(jobs, DateTimeOffset.UtcNow)).ConfigureAwait(false);
        return 0;
    }

    private async Task<int> WatchAsync(string? module, CancellationToken ct)
    {
        using var call = daemon.Client.Watch(new V1.WatchRequest { Module = module ?? string.Empty }, cancellationToken: ct);
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        await stderr.WriteLineAsync($"Watching dkmsd at {daemon.SocketPath} (Ctrl-C to stop).").ConfigureAwait(false);
        await stderr.FlushAsync(ct).ConfigureAwait(false);
        await foreach (var e in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await stdout.WriteLineAsync(JobText.Event(e)).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }

        return 0;
    }

    private async Task<int> LogsAsync(string id, bool follow, CancellationToken ct)
    {
        using var call = daemon.Client.StreamLog(new V1.StreamLogRequest { JobId = id, Follow = follow }, cancellationToken: ct);
        await foreach (var line in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await stdout.WriteAsync(line.NoNewline ? line.Text : line.Text + "\n").ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }

        return 0;
    }

    private async Task<int> CancelAsync(string id, CancellationToken ct)
    {
        var job = await daemon.Client.CancelJobAsync(new V1.CancelJobRequest { Id = id }, cancellationToken: ct).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Job {job.Id} {JobText.State(job.State)}: {JobText.Subject(job)}").ConfigureAwait(false);
        return 0;
    }
}
