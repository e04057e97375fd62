namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// A cgroup of its own for one systemd-nspawn, in each hierarchy the container's systemd needs (the unified v2 one
/// and the named v1 "systemd" one on a hybrid host; /sys/fs/cgroup itself on a pure v2 host). There is no
/// systemd-machined on the host to make one, and with <c>--keep-unit</c> nspawn runs the container in the cgroup
/// it was started in.
/// </summary>
internal sealed class CgroupSlot
{
    private const string Mount = "/sys/fs/cgroup";

    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(30);

    private CgroupSlot(IReadOnlyList<string> directories) => Directories = directories;

    /// <summary>The slot's directory in each hierarchy.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid into to move there.</summary>
    public IEnumerable<string> ProcsFiles => Directories.Select(d => Path.Combine(d, "cgroup.procs"));

    public static CgroupSlot Create(string name)
    {
        var hierarchies = new[] { Path.Combine(Mount, "unified"), Path.Combine(Mount, "systemd") }
            .Where(h => File.Exists(Path.Combine(h, "cgroup.procs")))
            .ToList();
        if (hierarchies.Count == 0 && File.Exists(Path.Combine(Mount, "cgroup.controllers")))
        {
            hierarchies.Add(Mount); // pure cgroup v2
        }

        if (hierarchies.Count == 0)
        {
            throw new InvalidOperationException($"No cgroup hierarchy for systemd-nspawn under {Mount} (see `mount | grep cgroup`).");
        }

        var directories = hierarchies.Select(h => Path.Combine(h, name)).ToList();
        foreach (var d in directories)
        {
            Directory.CreateDirectory(d);
        }

        return new CgroupSlot(directories);
    }

    /// <summary>Kills whatever is still in the slot (cgroup v2's <c>cgroup.kill</c>): the last resort of a stop.</summary>
    public void KillAll()
    {
        foreach (var file in Directories.Select(d => Path.Combine(d, "cgroup.kill")).Where(File.Exists))
        {
            File.WriteAllText(file, "1");
        }
    }

    /// <summary>Removes the slot and the cgroups the container's systemd made inside it, deepest first.</summary>
    public async Task RemoveAsync()
    {
        var deadline = DateTime.UtcNow + RemoveTimeout;
        foreach (var root in Directories.Where(Directory.Exists))
        {
            var all = Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
                .OrderByDescending(d => d.Length)
                .Append(root);
            foreach (var dir in all)
            {
                // A cgroup is busy for a moment after its last process exits.
                while (true)
                {
                    try
                    {
                        Directory.Delete(dir);
                        break;
                    }
                    catch (IOException) when (DateTime.UtcNow < deadline)
                    {
                        await Task.Delay(200).ConfigureAwait(false);
                    }
                }
            }
        }
    }
}
