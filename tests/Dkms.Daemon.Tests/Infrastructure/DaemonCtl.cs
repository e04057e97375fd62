using System.Diagnostics;
using System.Text;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>The real dkmsctl binary as a client of a test's dkmsd (or in-process with <c>--offline</c>).</summary>
internal static class DaemonCtl
{
    public static string Binary => Processes.DkmsCtl;

    /// <summary>dkmsctl through the daemon listening on <paramref name="socket"/>.</summary>
    public static Task<ProcessResult> RunAsync(string socket, params string[] args) =>
        Processes.RunAsync(Binary, ["--socket", socket, .. args], Environment());

    /// <summary>dkmsctl with <paramref name="args"/> exactly as given (no socket option added).</summary>
    public static Task<ProcessResult> RunRawAsync(IReadOnlyDictionary<string, string>? extraEnvironment, params string[] args)
    {
        var env = Environment();
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return Processes.RunAsync(Binary, args, env);
    }

    /// <summary>A dkmsctl left running (a build, <c>watch</c>, <c>logs --follow</c>) whose output the test reads later.</summary>
    public static Background Start(string socket, params string[] args) => new(["--socket", socket, .. args]);

    private static Dictionary<string, string> Environment() => new()
    {
        ["parallel_jobs"] = "1",
        ["DKMSCTL_OFFLINE"] = string.Empty,
    };

    internal sealed class Background : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        public Background(IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["DKMSCTL_OFFLINE"] = string.Empty;
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Stdout
        {
            get
            {
                lock (_stdout)
                {
                    return _stdout.ToString();
                }
            }
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>Waits for the process to end on its own; its exit code.</summary>
        public async Task<int> WaitAsync(TimeSpan? timeout = null)
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
            _process.WaitForExit(); // drains the redirected streams
            return _process.ExitCode;
        }

        /// <summary>Waits until stdout contains <paramref name="text"/>.</summary>
        public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) => WaitForAsync(() => Stdout, text, timeout);

        /// <summary>Waits until stderr contains <paramref name="text"/> (<c>watch</c> says there it is subscribed).</summary>
        public Task WaitForStderrAsync(string text, TimeSpan? timeout = null) => WaitForAsync(() => Stderr, text, timeout);

        private async Task WaitForAsync(Func<string> stream, string text, TimeSpan? timeout)
        {
            var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
            while (!stream().Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > end)
                {
                    throw new TimeoutException($"'{text}' not seen.\n--- stdout\n{Stdout}--- stderr\n{Stderr}");
                }

                await Task.Delay(50);
            }
        }

        /// <summary>SIGINT, as Ctrl-C.</summary>
        public void Interrupt() => Processes.Signal(_process.Id, "INT");

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static void Append(StringBuilder b, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (b)
            {
                b.Append(line).Append('\n');
            }
        }
    }
}
