using Dkms.Core.Platform;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Protocol.V1;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Authorization;

/// <summary>
/// What a caller may read through the open methods: no more than the files would show it. Jobs, their logs and
/// their events are about one module: a caller sees them when it could list that module's directory in the dkms
/// tree itself (the permission bits of each directory on the way, for its uid and groups; ACLs are not consulted),
/// or when it asked for the job. Who asked for a job is shown only to that caller. Root, <c>--admin-gid</c> and
/// <c>--read-gid</c> see everything.
/// </summary>
internal sealed class ReadAccess(AuthorizationPolicy policy, DaemonContext daemon, IOptions<DaemonOptions> options)
{
    private readonly uint? _readGid = options.Value.ReadGid;

    /// <summary>True when <paramref name="caller"/> reads everything (root, the admin or the read group).</summary>
    public bool SeesEverything(CallerCredentials? caller) =>
        policy.MayModify(caller) || caller is not null && _readGid is { } gid && caller.IsInGroup(gid);

    /// <summary>True when <paramref name="caller"/> may see the jobs and events of <paramref name="module"/> (empty: the tree's).</summary>
    public bool MaySeeModule(CallerCredentials? caller, string? module)
    {
        if (SeesEverything(caller))
        {
            return true;
        }

        var tree = daemon.Settings.DkmsTree;
        var dir = string.IsNullOrEmpty(module) ? tree : Path.Combine(tree, module);
        return CanList(caller, Directory.Exists(dir) ? dir : tree); // a module since removed: as its tree
    }

    public bool MaySee(CallerCredentials? caller, Job job) =>
        IsOwn(caller, job) || MaySeeModule(caller, job.Key?.Module);

    /// <summary>
    /// <see cref="MaySeeModule"/> for one call that asks about many entries (a job list, a status): each module's
    /// directories are looked at once; null when the caller sees everything.
    /// </summary>
    public Func<string?, bool>? ModuleFilter(CallerCredentials? caller)
    {
        if (SeesEverything(caller))
        {
            return null;
        }

        var seen = new Dictionary<string, bool>(StringComparer.Ordinal);
        return module => seen.TryGetValue(module ?? string.Empty, out var ok) ? ok : seen[module ?? string.Empty] = MaySeeModule(caller, module);
    }

    /// <summary>The job as <paramref name="caller"/> may see it: without who asked for it, unless it asked.</summary>
    public Job ForCaller(CallerCredentials? caller, Job job)
    {
        if (job.RequestedBy is null || SeesEverything(caller) || IsOwn(caller, job))
        {
            return job;
        }

        var seen = job.Clone();
        seen.RequestedBy = null;
        return seen;
    }

    /// <summary>The event as <paramref name="caller"/> may see it, or null when it concerns a module it cannot list.</summary>
    public Event? ForCaller(CallerCredentials? caller, Event e)
    {
        var job = e.KindCase switch
        {
            Event.KindOneofCase.JobQueued => e.JobQueued.Job,
            Event.KindOneofCase.JobStarted => e.JobStarted.Job,
            Event.KindOneofCase.JobPhase => e.JobPhase.Job,
            Event.KindOneofCase.JobFinished => e.JobFinished.Job,
            _ => null,
        };
        if (job is not null)
        {
            if (!MaySee(caller, job))
            {
                return null;
            }

            var seen = ForCaller(caller, job);
            if (ReferenceEquals(seen, job))
            {
                return e;
            }

            var copy = e.Clone();
            (copy.JobQueued ?? copy.JobStarted ?? copy.JobPhase ?? copy.JobFinished).Job = seen;
            return copy;
        }

        var module = e.KindCase switch
        {
            Event.KindOneofCase.ModuleAdded => e.ModuleAdded.Module?.Name,
            Event.KindOneofCase.ModuleRemoved => e.ModuleRemoved.Module?.Name,
            _ => null,
        };
        return module is null || MaySeeModule(caller, module) ? e : null; // kernel events: /lib/modules is public
    }

    /// <summary>True when <paramref name="caller"/> asked for <paramref name="job"/>.</summary>
    public static bool IsOwn(CallerCredentials? caller, Job job) =>
        caller is not null && job.RequestedBy is { } by && by.Uid == caller.Uid;

    /// <summary>As the kernel would let the caller list <paramref name="directory"/>: search on every directory above, read and search on it.</summary>
    internal static bool CanList(CallerCredentials? caller, string directory)
    {
        var full = Path.GetFullPath(directory);
        var path = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty))
        {
            path = Path.Combine(path, part);
            var last = path.Length == full.TrimEnd('/').Length || full == "/";
            if (!Allows(caller, path, last ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserExecute))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The owner's, the group's or others' bits (the first class the caller belongs to), as in generic_permission.</summary>
    private static bool Allows(CallerCredentials? caller, string path, UnixFileMode ownerBits)
    {
        if (FileOwnership.Of(path) is not { } o)
        {
            return false;
        }

        var shift = caller is not null && caller.Uid == o.Uid ? 0 : caller is not null && caller.IsInGroup(o.Gid) ? 3 : 6;
        var wanted = (UnixFileMode)((int)ownerBits >> shift);
        return (o.Mode & wanted) == wanted;
    }
}
