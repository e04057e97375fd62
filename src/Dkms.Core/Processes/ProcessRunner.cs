using System.Diagnostics;
using System.Text;
using Dkms.Core.Platform;

namespace Dkms.Core.Processes;

/// <summary>
/// Runs a child in a new session through <c>setsid</c>, so a time-out or a cancellation stops the
/// whole process group it started (make and every compiler under it), not just its first process.
/// </summary>
public sealed class ProcessRunner : IProcessRunner
{
    /// <summary>How long a group gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The longest line handed to a callback or kept: the rest of a longer one is dropped and counted in a
    /// "[… N bytes cut …]" marker (a child printing without newlines cannot make one line of its whole output).
    /// </summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>
    /// The most of one stream kept in <see cref="ProcessResult"/>: the first and the last half of it, with a
    /// "[… N bytes cut …]" line between (what a file records, make.log say, is not affected).
    /// </summary>
    public const int MaxCapturedChars = 4 * 1024 * 1024;

    private ProcessRunner()
    {
    }

    /// <summary>The real one: every host uses it unless a test passes another.</summary>
    public static ProcessRunner Default { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = spec.OutputFile is null,
            RedirectStandardError = spec.OutputFile is null,
            WorkingDirectory = spec.WorkingDirectory ?? string.Empty,
        };

        if (spec.OutputFile is not null)
        {
            // The child appends to the log itself: output survives even if this process dies.
            psi.ArgumentList.Add("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec >>\"$0\" 2>&1 </dev/null; exec \"$@\"");
            psi.ArgumentList.Add(spec.OutputFile);
        }
        else if (spec.MergeStderr)
        {
            // One descriptor for both streams, as the log above and as dkms's terminal: the order survives.
            psi.ArgumentList.Add("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec 2>&1; exec \"$@\"");
            psi.ArgumentList.Add("dkms-merged");
        }

        psi.ArgumentList.Add(spec.FileName);
        foreach (var a in spec.Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        if (spec.Environment is not null)
        {
            psi.Environment.Clear();
            foreach (var (k, v) in spec.Environment)
            {
                psi.Environment[k] = v;
            }
        }

        if (spec.ExtraEnvironment is not null)
        {
            foreach (var (k, v) in spec.ExtraEnvironment)
            {
                psi.Environment[k] = v;
            }
        }

        var stdout = new BoundedText(MaxCapturedChars);
        var stderr = new BoundedText(MaxCapturedChars);
        using var process = new Process { StartInfo = psi };
        var clock = Stopwatch.StartNew();
        SpawnThread.Start(process); // from a thread that never ends: see SpawnThread (bubblewrap's parent-death signal)
        process.StandardInput.Close();
        spec.OnStarted?.Invoke(process.Id);
        var readers = Task.CompletedTask;
        if (spec.OutputFile is null)
        {
            // Read here rather than with BeginOutputReadLine, whose line buffer grows with a line that never ends.
            var output = process.StandardOutput;
            var error = process.StandardError;
            readers = Task.WhenAll(
                Task.Run(() => DrainAsync(output, line => Collect(line, stdout, spec.OnStdout)), CancellationToken.None),
                Task.Run(() => DrainAsync(error, line => Collect(line, stderr, spec.OnStderr)), CancellationToken.None));
        }

        var timedOut = false;
        using var timeout = spec.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);

            // As WaitForExit does for BeginOutputReadLine: the pipes are read to their end.
            await readers.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            await StopGroupAsync(process).ConfigureAwait(false);
            try
            {
                await readers.WaitAsync(KillGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // something outside the group holds the pipe; what was read so far is the output
            }

            if (!timedOut)
            {
                throw;
            }
        }

        clock.Stop();
        return new ProcessResult(process.ExitCode, timedOut, clock.Elapsed, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The marker that stands for text left out.</summary>
    public static string CutMarker(long bytes) => $"[… {bytes} bytes cut …]";

    /// <summary>
    /// Splits a stream into lines as <see cref="Process.BeginOutputReadLine"/> does (at \n, \r or \r\n; a last line
    /// without one counts), each cut at <see cref="MaxLineChars"/>.
    /// </summary>
    internal static async Task ReadLinesAsync(TextReader reader, Action<string> onLine)
    {
        var buffer = new char[16 * 1024];
        var line = new StringBuilder();
        long cutBytes = 0;
        var afterCr = false;
        var any = false;

        void End()
        {
            var text = line.ToString();
            if (cutBytes > 0)
            {
                text += " " + CutMarker(cutBytes);
            }

            line.Clear();
            cutBytes = 0;
            any = false;
            onLine(text);
        }

        int n;
        while ((n = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < n; i++)
            {
                var c = buffer[i];
                if (c != '\n' && c != '\r')
                {
                    continue;
                }

                if (c == '\n' && afterCr && i == start)
                {
                    afterCr = false;
                    start = i + 1;
                    continue; // the \n of a \r\n
                }

                Append(buffer.AsSpan(start, i - start));
                End();
                afterCr = c == '\r';
                start = i + 1;
            }

            if (start < n)
            {
                afterCr = false;
                Append(buffer.AsSpan(start, n - start));
            }
        }

        if (any)
        {
            End();
        }

        void Append(ReadOnlySpan<char> chunk)
        {
            any = true;
            var room = Math.Max(0, MaxLineChars - line.Length);
            if (chunk.Length <= room)
            {
                line.Append(chunk);
                return;
            }

            line.Append(chunk[..room]);
            cutBytes += Encoding.UTF8.GetByteCount(chunk[room..]);
        }
    }

    private static async Task DrainAsync(TextReader reader, Action<string> onLine)
    {
        try
        {
            await ReadLinesAsync(reader, onLine).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the process was disposed (its caller cancelled) before its output ended
        }
    }

    private static void Collect(string line, BoundedText into, Action<string>? callback)
    {
        into.AppendLine(line);
        callback?.Invoke(line);
    }

    private static async Task StopGroupAsync(Process process)
    {
        // setsid made the child a session and group leader: its pid is the group id.
        _ = Libc.kill(-process.Id, Libc.SigTerm);
        using var grace = new CancellationTokenSource(KillGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _ = Libc.kill(-process.Id, Libc.SigKill);
        using var final = new CancellationTokenSource(KillGrace);
        try
        {
            await process.WaitForExitAsync(final.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A child that survives SIGKILL of its group is stuck in the kernel; nothing more to do.
        }
    }
}

/// <summary>Text kept up to a size: its first half and its latest half, with a marker for what lies between.</summary>
internal sealed class BoundedText(int maxChars)
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _head = new();
    private readonly StringBuilder _tail = new();
    private long _cutBytes;

    public void AppendLine(string line)
    {
        lock (_gate)
        {
            var half = maxChars / 2;
            if (_cutBytes == 0 && _tail.Length == 0 && _head.Length + line.Length + 1 <= maxChars)
            {
                _head.Append(line).Append('\n');
                return;
            }

            if (_tail.Length == 0 && _cutBytes == 0)
            {
                // Over the limit for the first time: the head keeps its first half, the rest starts the tail.
                if (_head.Length > half)
                {
                    var cut = _head.ToString(half, _head.Length - half);
                    _head.Length = half;
                    _tail.Append(cut);
                }
            }

            _tail.Append(line).Append('\n');
            if (_tail.Length > 2 * half)
            {
                Trim(half);
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            var half = maxChars / 2;
            if (_tail.Length > half)
            {
                Trim(half);
            }

            if (_cutBytes == 0)
            {
                return _head.ToString() + _tail.ToString();
            }

            // The tail starts at a line's beginning.
            var tail = _tail.ToString();
            var cut = _cutBytes;
            var nl = tail.IndexOf('\n', StringComparison.Ordinal);
            if (nl >= 0 && nl + 1 < tail.Length)
            {
                cut += Encoding.UTF8.GetByteCount(tail.AsSpan(0, nl + 1));
                tail = tail[(nl + 1)..];
            }

            return _head + ProcessRunner.CutMarker(cut) + "\n" + tail;
        }
    }

    private void Trim(int keep)
    {
        var drop = _tail.Length - keep;
        _cutBytes += Encoding.UTF8.GetByteCount(_tail.ToString(0, drop));
        _tail.Remove(0, drop);
    }
}
