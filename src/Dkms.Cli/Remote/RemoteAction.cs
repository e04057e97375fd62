using Grpc.Core;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Cli.Remote;

/// <summary>
/// Runs one action on dkmsd and prints its output exactly as the in-process engine would, with a
/// progress line on a terminal. Interrupting dkmsctl cancels the call, and dkmsd cancels its jobs.
/// </summary>
internal sealed class RemoteAction(DaemonConnection daemon, TextWriter stdout, TextWriter stderr, bool quiet, bool showProgress)
{
    public async Task<int> RunAsync(V1.ActionRequest request, CancellationToken ct)
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
                        progress?.Hold(ev.Output.NoNewline); // never draw over "Building module(s)..." before its " done."
                        progress?.Redraw();
                        break;
                    case V1.ActionEvent.EventOneofCase.Job:
                        progress?.Update(ev.Job);
                        break;
                    case V1.ActionEvent.EventOneofCase.Result:
                        exit = ev.Result.ExitCode;
                        ended = true;
                        break;
                }
            }

            progress?.Clear();
            if (!ended)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the stream ended without a result"));
            }

            return exit;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            progress?.Clear();
            return daemon.Report(e, stderr);
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

    private AsyncServerStreamingCall<V1.ActionEvent> Start(V1.ActionRequest r, CancellationToken ct)
    {
        var client = daemon.Client;
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
