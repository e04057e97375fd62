using System.Collections.Concurrent;
using System.Text;
using Dkms.Core.Tree;

namespace Dkms.Core.Conf;

/// <summary>
/// Evaluated dkms.conf files, reused while nothing they depend on has changed: the conf, the override
/// files of the config dir and the kernel configuration (by path, modification time and size, or absence),
/// and every variable dkms presets. A long-running host answers <c>status</c> without starting bash.
/// </summary>
/// <remarks>
/// A file the conf sources by itself (other than the kernel configuration) is not tracked. An evaluation that failed
/// (a conf that does not finish in time, or is gone) is kept too, under the same key, for <see cref="FailureLifetime"/>:
/// a caller asking for status again and again does not start it again each time.
/// </remarks>
public sealed class ConfCache
{
    /// <summary>How long a failed evaluation is answered from memory (a timeout on a busy machine is not forever).</summary>
    public static readonly TimeSpan FailureLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The most of a conf's stderr a cached evaluation keeps (what it prints when read strictly).</summary>
    public const int MaxStderrChars = 64 * 1024;

    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, DkmsConf> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Errors.DkmsException Error, DateTime Until)> _failures = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>
    /// Module file comparisons, kept here only because this is the one cache a long-running host shares between its
    /// engines (status asks them for every installed module).
    /// </summary>
    public ModuleFileComparer Comparisons { get; } = new();

    /// <summary>The cached evaluation for these inputs, or a fresh one from <paramref name="read"/>.</summary>
    public async Task<DkmsConf> GetOrReadAsync(string confPath, ConfContext ctx, bool strict, Func<Task<DkmsConf>> read)
    {
        var key = Key(confPath, ctx, strict);
        if (_entries.TryGetValue(key, out var hit))
        {
            return hit;
        }

        if (_failures.TryGetValue(key, out var failed))
        {
            if (DateTime.UtcNow < failed.Until)
            {
                throw Copy(failed.Error);
            }

            _failures.TryRemove(key, out _);
        }

        DkmsConf conf;
        try
        {
            conf = await read().ConfigureAwait(false);
        }
        catch (Errors.DkmsException e)
        {
            if (_failures.Count >= MaxEntries)
            {
                _failures.Clear();
            }

            _failures[key] = (Copy(e), DateTime.UtcNow + FailureLifetime);
            throw;
        }

        if (conf.Stderr.Length > MaxStderrChars)
        {
            conf = conf with { Stderr = Cut(conf.Stderr) };
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear(); // stale keys (old stamps) are never read again; start over rather than grow
        }

        _entries[key] = conf;
        return conf;
    }

    public void Clear()
    {
        _entries.Clear();
        _failures.Clear();
    }

    /// <summary>A new exception saying the same (one object is never thrown on two threads).</summary>
    private static Errors.DkmsException Copy(Errors.DkmsException e) =>
        new(e.Kind, e.ExitCode, [.. e.Lines]) { IsWarning = e.IsWarning, AlreadyReported = e.AlreadyReported };

    private static string Cut(string text)
    {
        var half = MaxStderrChars / 2;
        var head = text[..half];
        var tail = text[^half..];
        var cut = Encoding.UTF8.GetByteCount(text.AsSpan(half, text.Length - 2 * half));
        return head + "\n" + Processes.ProcessRunner.CutMarker(cut) + "\n" + tail;
    }

    private static string Key(string confPath, ConfContext ctx, bool strict)
    {
        var sb = new StringBuilder(512);
        sb.Append(strict ? 'S' : 'N').Append('\0')
          .Append(ctx.Kernel).Append('\0').Append(ctx.Arch).Append('\0')
          .Append(ctx.KernelSourceDir).Append('\0').Append(ctx.Module).Append('\0').Append(ctx.ModuleVersion).Append('\0')
          .Append(ctx.RunningKernel).Append('\0')
          .Append(ctx.Settings.DkmsTree).Append('\0').Append(ctx.Settings.SourceTree).Append('\0').Append(ctx.Settings.InstallTree).Append('\0')
          .Append(ctx.Settings.Distribution).Append('\0').Append(ctx.Settings.ParallelJobs).Append('\0')
          .Append(string.Join('\u0001', ctx.Directives)).Append('\0');
        foreach (var file in DkmsConfReader.Files(confPath, ctx).Append(ctx.KernelConfig))
        {
            Stamp(sb, file);
        }

        return sb.ToString();
    }

    private static void Stamp(StringBuilder sb, string path)
    {
        var info = new FileInfo(path);
        sb.Append(path).Append('\0');
        if (info.Exists)
        {
            sb.Append(info.LastWriteTimeUtc.Ticks).Append('/').Append(info.Length);
        }
        else
        {
            sb.Append('-');
        }

        sb.Append('\0');
    }
}
