using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Grpc.Net.Client;

namespace Dkms.Bench.Infrastructure;

/// <summary>A dkmsd child process (optionally inside the mount shield), started with a NOTIFY_SOCKET and stopped with SIGTERM.</summary>
internal sealed partial class DaemonHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonHost(Process process, string socket)
    {
        _process = process;
        Socket = socket;
    }

    public int Pid => _process.Id;

    public string Socket { get; }

    /// <summary>From just before the fork to the READY=1 datagram.</summary>
    public TimeSpan Ready { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>command</c> (dkmsd, or a wrapper ending in dkmsd) and waits for READY=1.</summary>
    public static async Task<DaemonHost> StartAsync(IReadOnlyList<string> command, string socket, string notifyPath)
    {
        using var notify = new NotifyListener(notifyPath);
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "JOURNAL_STREAM", "DBUS_SYSTEM_BUS_ADDRESS" })
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["NOTIFY_SOCKET"] = notifyPath;
        var sw = Stopwatch.StartNew();
        var process = Process.Start(psi)!;
        var ready = notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30));
        var host = new DaemonHost(process, socket);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("dkmsd never sent READY=1:\n" + host.Output);
        }

        sw.Stop();
        host.Ready = sw.Elapsed;
        return host;
    }

    public static GrpcChannel Channel(string socket) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct).ConfigureAwait(false);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                },
            },
        });

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
