using Dkms.Core.Processes;
using Dkms.Core.Validation;

namespace Dkms.Core.Tree;

/// <summary>
/// What an interrupted build leaves in the dkms tree (a build directory whose make may still run, staging directories of
/// unpublished results), and the empty directories an uninstall leaves behind.
/// </summary>
public static class StaleWork
{
    /// <summary>Deletes <c>m/v/*/.tmp_*</c> staging left by an interrupted build, and empty kernel dirs.</summary>
    public static void CleanStaleStaging(TreeState state, string m, string v)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var kernelDir in state.KernelDirectories(m, v))
        {
            if (new FileInfo(kernelDir).LinkTarget is not null)
            {
                continue;
            }

            foreach (var tmp in Directory.EnumerateDirectories(kernelDir, ".tmp_*"))
            {
                Directory.Delete(tmp, recursive: true);
            }

            if (!Directory.EnumerateFileSystemEntries(kernelDir).Any())
            {
                Directory.Delete(kernelDir);
            }
        }
    }

    /// <summary>
    /// At start-up, before any build: stops and deletes every build directory a build was running in (its guard
    /// marker is there) and deletes every staging directory. Returns what it deleted.
    /// </summary>
    public static List<string> CleanInterruptedBuilds(TreeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var cleaned = new List<string>();
        foreach (var (m, v) in state.ListVersions())
        {
            var build = state.Tree.BuildDir(m, v);
            if (Directory.Exists(build) && new FileInfo(build).LinkTarget is null && File.Exists(Path.Combine(build, OrphanGuard.MarkerName)))
            {
                OrphanGuard.StopStale(build);
                Directory.Delete(build, recursive: true);
                cleaned.Add(build);
            }

            foreach (var kernelDir in state.KernelDirectories(m, v))
            {
                foreach (var staging in Directory.EnumerateDirectories(kernelDir, ".tmp_*"))
                {
                    Directory.Delete(staging, recursive: true);
                    cleaned.Add(staging);
                }
            }
        }

        return cleaned;
    }

    /// <summary><c>rmdir -p --ignore-fail-on-non-empty</c>, stopping at <paramref name="stopAt"/>.</summary>
    public static void PruneEmptyDirectories(string from, string stopAt)
    {
        var stop = Path.GetFullPath(stopAt).TrimEnd('/');
        var dir = Path.GetFullPath(from).TrimEnd('/');
        while (dir.Length > stop.Length && PathGuard.IsWithin(stop, dir) && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
            dir = Path.GetDirectoryName(dir)!;
        }
    }
}
