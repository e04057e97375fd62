using System.Collections.Concurrent;
using System.Text;
using Dkms.Core.Tree;

namespace Dkms.Core.Conf;

/// <summary>
/// Evaluated dkms.conf files, reused while nothing they depend on has changed: the conf, the override
/// files of the config dir and the kernel configuration (by path, modification time and size, or absence),
/// and every variable dkms presets. A long-running host answers <c>status</c> without starting bash.
/// </summary>
/// <remarks>A file the conf sources by itself (other than the kernel configuration) is not tracked.</remarks>
public sealed class ConfCache
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, DkmsConf> _entries = new(StringComparer.Ordinal);

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

        var conf = await read().ConfigureAwait(false);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear(); // stale keys (old stamps) are never read again; start over rather than grow
        }

        _entries[key] = conf;
        return conf;
    }

    public void Clear() => _entries.Clear();

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
