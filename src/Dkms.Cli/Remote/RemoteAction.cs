using Grpc.Core;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Cli.Remote;

/// <summary>
/// Runs one action on dkmsd and prints its output exactly as the in-process engine would, with a
/// progress line on a terminal. Interrupting dkmsctl cancels the call, and dkmsd cancels its jobs.
/// When dkmsd goes away during the request (restarted, killed), the request is not reported as failed:
/// dkmsctl waits for the daemon to answer again and runs it there, or runs it in-process when none comes back.
/// </summary>
internal sealed class RemoteAction(DaemonConnection daemon, TextWriter stdout, TextWriter stderr, bool quiet, bool showProgress,
    Func<CancellationToken, Task<int>> inProcess)
{
    /// <summary>How long a restarting dkmsd is waited for (systemd restarts it after RestartSec=2s).</summary>
    public static readonly TimeSpan RestartWait = TimeSpan.FromSeconds(60);

    /// <summary>A daemon that keeps going away is given up on after this many runs of the request.</summary>
    public const int MaxAttempts = 3;

    private DaemonConnection _daemon = daemon;

    public async Task<int> RunAsync(V1.ActionRequest request, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var jobIds = new List<string>();
            var (exit, lost) = await RunOnceAsync(request, jobIds, ct).ConfigureAwait(false);
            if (lost is null)
            {
                return exit;
            }

            var socket = _daemon.SocketPath;
            await stderr.WriteLineAsync($"dkmsd at {socket} went away during the request ({lost}); waiting for it to come back...").ConfigureAwait(false);
            await stderr.FlushAsync(ct).ConfigureAwait(false);
            var back = attempt < MaxAttempts ? await DaemonConnection.WaitForAsync(socket, RestartWait, ct).ConfigureAwait(false) : null;
            if (back is null)
            {
                await stderr.WriteLineAsync("dkmsd did not come back; running the request in-process.").ConfigureAwait(false);
                await stderr.FlushAsync(ct).ConfigureAwait(false);
                return await inProcess(ct).ConfigureAwait(false);
            }

            _daemon = back; // the first connection is the caller's to dispose; this one lives as long as the process
            if (await AllSucceededAsync(jobIds, ct).ConfigureAwait(false))
            {
                return 0; // the work was done; only its answer was lost
            }

            await stderr.WriteLineAsync("dkmsd is back; running the request again.").ConfigureAwait(false);
            await stderr.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>One run on the current daemon: its exit code, or why the daemon was lost (then the exit code means nothing).</summary>
    private async Task<(int Exit, string? Lost)> RunOnceAsync(V1.ActionRequest request, List<string> jobIds, CancellationToken ct)
    {
        var progress = showProgress && !quiet ? new ProgressLine(stderr) : null;
        try
        {
            using var call = Start(request, ct);
            var exit = 1;
            var ended = false;
            await foreach (var ev in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                switch (ev.EventCase)
                {
                    case V1.ActionEvent.EventOneofCase.Output when !quiet:
                        progress?.Clear();
                        var writer = ev.Output.Stream == V1.OutputStream.Stderr ? stderr : stdout;
                        await writer.WriteAsync(ev.Output.NoNewline ? ev.Output.Text : ev.Output.Text + "\n").ConfigureAwait(false);
                        await writer.FlushAsync(ct).ConfigureAwait(false);
                        progress?.Hold(ev.Output.NoNewline); // never draw over "make ..." before the end of its line
                        progress?.Redraw();
                        break;
                    case V1.ActionEvent.EventOneofCase.Job:
                        if (!jobIds.Contains(ev.Job.Id))
                        {
                            jobIds.Add(ev.Job.Id);
                        }

                        progress?.Update(ev.Job);
                        break;
                    case V1.ActionEvent.EventOneofCase.Result:
                        exit = ev.Result.ExitCode;
                        ended = true;
                        break;
                }
            }

            progress?.Clear();
            return ended ? (exit, null) : (1, "its answer ended without a result");
        }
        catch (RpcException e) when (!ct.IsCancellationRequested && DaemonConnection.IsLostDaemon(e))
        {
            progress?.Clear();
            return (1, e.Status.Detail);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            progress?.Clear();
            return (_daemon.Report(e, stderr), null);
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
            progress?.Clear();
            throw new OperationCanceledException(ct);
        }
        finally
        {
            progress?.Dispose();
        }
    }

    /// <summary>True when the request had jobs and the daemon that came back says every one of them succeeded.</summary>
    private async Task<bool> AllSucceededAsync(List<string> jobIds, CancellationToken ct)
    {
        if (jobIds.Count == 0)
        {
            return false;
        }

        foreach (var id in jobIds)
        {
            try
            {
                var job = await _daemon.Client.GetJobAsync(new V1.GetJobRequest { Id = id }, cancellationToken: ct).ConfigureAwait(false);
                if (job.State != V1.JobState.Succeeded)
                {
                    return false;
                }
            }
            catch (RpcException)
            {
                return false;
            }
        }

        return true;
    }

    private AsyncServerStreamingCall<V1.ActionEvent> Start(V1.ActionRequest r, CancellationToken ct)
    {
        var client = _daemon.Client;
        return r.ActionCase switch
        {
            V1.ActionRequest.ActionOneofCase.Add => client.Add(r.Add, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Build => client.Build(r.Build, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Install => client.Install(r.Install, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Uninstall => client.Uninstall(r.Uninstall, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Unbuild => client.Unbuild(r.Unbuild, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Remove => client.Remove(r.Remove, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Autoinstall => client.Autoinstall(r.Autoinstall, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.Match => client.Match(r.Match, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.MkTarball => client.MkTarball(r.MkTarball, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.LdTarball => client.LdTarball(r.LdTarball, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.GenerateMok => client.GenerateMok(r.GenerateMok, cancellationToken: ct),
            V1.ActionRequest.ActionOneofCase.RemoveKernel => client.RemoveKernel(r.RemoveKernel, cancellationToken: ct),
            _ => throw new ArgumentException("The request names no action.", nameof(r)),
        };
    }

    /// <summary>One self-erasing status line on a terminal: phase, module, kernel and elapsed time of the running job.</summary>
    private sealed class ProgressLine(TextWriter terminal) : IDisposable
    {
        private readonly Lock _gate = new();
        private V1.Job? _job;
        private bool _shown;
        private bool _held;
        private Timer? _timer;

        public void Update(V1.Job job)
        {
            lock (_gate)
            {
                _job = job.State == V1.JobState.Running ? job : null;
                _timer ??= new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            }

            Draw();
        }

        /// <summary>While the last line printed is unfinished, the progress line stays away.</summary>
        public void Hold(bool held)
        {
            lock (_gate)
            {
                _held = held;
            }
        }

        public void Redraw() => Draw();

        public void Clear()
        {
            lock (_gate)
            {
                if (_shown)
                {
                    terminal.Write("\r\x1b[K");
                    terminal.Flush();
                    _shown = false;
                }
            }
        }

        public void Dispose()
        {
            _timer?.Dispose();
            Clear();
        }

        private void Draw()
        {
            lock (_gate)
            {
                if (_job is not { } job || _held)
                {
                    return;
                }

                var phase = job.Phases.Count > 0 ? job.Phases[^1].Name : "running";
                var elapsed = job.StartedAt is null ? TimeSpan.Zero : DateTimeOffset.UtcNow - job.StartedAt.ToDateTimeOffset();
                terminal.Write($"\r\x1b[K[{(int)elapsed.TotalSeconds,3}s] {phase}: {JobText.Subject(job)}");
                terminal.Flush();
                _shown = true;
            }
        }
    }
}
