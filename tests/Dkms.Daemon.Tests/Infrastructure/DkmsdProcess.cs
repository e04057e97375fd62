using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Dkms.Daemon.TestClient;
using Grpc.Net.Client;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>The real dkmsd binary as a child process, stopped with SIGTERM.</summary>
internal sealed class DkmsdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DkmsdProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything dkmsd wrote so far.</summary>
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

    /// <summary>
    /// The dkmsd under test: the JIT build next to the tests, or the binary whose absolute path is in
    /// <c>DKMSD_TEST_DKMSD</c> (for example <c>$PWD/artifacts/aot/dkmsd</c> from scripts/install, to run these
    /// tests against Native AOT).
    /// </summary>
    public static string Binary => Environment.GetEnvironmentVariable("DKMSD_TEST_DKMSD") is { Length: > 0 } path
        ? Path.IsPathRooted(path) ? path : throw new InvalidOperationException($"DKMSD_TEST_DKMSD must be an absolute path: {path}")
        : Processes.Binary("dkmsd");

    /// <summary>Starts dkmsd (or <paramref name="wrapper"/> with dkmsd as its last arguments).</summary>
    public static DkmsdProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? wrapper = null)
    {
        var dkmsd = Binary;
        var psi = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : dkmsd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper is { Count: > 0 })
        {
            foreach (var w in wrapper.Skip(1))
            {
                psi.ArgumentList.Add(w);
            }

            psi.ArgumentList.Add(dkmsd);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The test runner's own systemd or journald context must not leak into the daemon.
        foreach (var name in new[] { "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "JOURNAL_STREAM" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return new DkmsdProcess(Process.Start(psi)!);
    }

    /// <summary>Waits until a connection to <paramref name="socket"/> succeeds.</summary>
    public async Task WaitForSocketAsync(string socket, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TaskTimeouts.Default);
        while (DateTime.UtcNow < end)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"dkmsd exited with {_process.ExitCode}:\n{Output}");
            }

            if (File.Exists(socket))
            {
                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket)).WithTimeout();
                    return;
                }
                catch (SocketException)
                {
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"dkmsd did not listen on {socket}:\n{Output}");
    }

    /// <summary>Waits until the daemon's output holds <paramref name="text"/> (it is read asynchronously).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TaskTimeouts.Default);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow >= end)
            {
                throw new TimeoutException($"dkmsd never printed \"{text}\":\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    public static GrpcChannel Channel(string socket) => UnixChannel.Create(socket);

    /// <summary>SIGKILL: the daemon gets no chance to clean up.</summary>
    public void Kill() => _process.Kill();

    /// <summary>The exit code of a daemon expected to exit on its own.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WithTimeout();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await Processes.TerminateAsync(_process.Id);
        }

        await _process.WaitForExitAsync().WithTimeout();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
