using Dkms.Core.Platform;
using Dkms.Core.Processes;

namespace Dkms.Core.Sandbox;

public sealed partial class BuildSandbox
{
    /// <summary>
    /// Null when the build user may enter every directory bubblewrap opens for <paramref name="step"/> (the ones it
    /// binds, hides or changes to); else why not, naming the first directory on the way that it may not enter.
    /// </summary>
    /// <remarks>
    /// bubblewrap runs as the build user, so a directory that user cannot search (a 0700 parent of a tree kept in a
    /// home directory) fails the step with bubblewrap's own "Can't find source path". Binding it in anyway would
    /// mean root opening it for the sandbox, i.e. showing the build what its owner chose to hide: refused. Decided
    /// from the mode bits (owner, group, others) as the kernel would without ACLs; only when root drops to the user.
    /// </remarks>
    public string[]? Unreachable(ProcessSpec step, SandboxView view)
    {
        if (DropTo is not { } user)
        {
            return null;
        }

        // bubblewrap looks up what it binds or covers (its parents must let the user through) and enters the working directory.
        var lookedUp = view.Writable.Concat(BoundVisible(view)).Concat(Hidden(view.HiddenDirectories.Where(Directory.Exists)))
            .Concat(Hidden(view.HiddenFiles.Where(File.Exists)))
            .Select(p => (Named: p, Walked: Path.GetDirectoryName(Path.GetFullPath(p)) ?? "/"));
        var entered = step.WorkingDirectory is { } cwd ? [(Named: cwd, Walked: Path.GetFullPath(cwd))] : Array.Empty<(string Named, string Walked)>();
        foreach (var (dir, walked) in lookedUp.Concat(entered))
        {
            if (FirstClosed(walked, user) is { } closed)
            {
                var (path, uid, mode) = closed;
                var who = user.Exists ? $"{user.Name} (uid {Id(user.Uid)})" : $"uid {Id(user.Uid)}";
                var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
                return
                [
                    $"The build user {who} cannot reach {dir}: {path} (mode {octal}, owner uid {Id(uid)}) does not let that user in. "
                        + "Package code runs as that user in the build sandbox, which needs every directory on the way.",
                    $"Let others enter {path} (chmod o+x {path}), keep the trees under directories everyone may enter, or set "
                        + "build_sandbox=\"none\" in framework.conf to build as root, as dkms does.",
                ];
            }
        }

        return null;
    }

    /// <summary>
    /// The secrets (and private directories) to cover in the sandbox: those the build user could reach. One behind a
    /// directory that user may not enter (a MOK key in a 0700 directory) is out of its reach already, and bubblewrap,
    /// running as that user, could not look it up to cover it.
    /// </summary>
    private IEnumerable<string> Hidden(IEnumerable<string> paths) =>
        DropTo is not { } user ? paths : paths.Where(p => FirstClosed(Path.GetDirectoryName(Path.GetFullPath(p)) ?? "/", user) is null);

    /// <summary>The <see cref="SandboxView.Visible"/> directories bound in read-only (the rest is seen through /).</summary>
    private static IEnumerable<string> BoundVisible(SandboxView view) =>
        view.Visible.Where(d => Directory.Exists(d) && (d.StartsWith("/tmp/", StringComparison.Ordinal) || d.StartsWith("/run/", StringComparison.Ordinal)));

    /// <summary>The first directory from / down to <paramref name="dir"/> that <paramref name="user"/> may not search.</summary>
    private static (string Path, uint Uid, UnixFileMode Mode)? FirstClosed(string dir, BuildUser user)
    {
        var path = "/";
        foreach (var part in dir.Split('/', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty))
        {
            path = part.Length == 0 ? "/" : Path.Combine(path, part);
            if (FileOwnership.Of(path) is not { } o)
            {
                return null; // missing or unreadable to root: not this check's business
            }

            var bit = o.Uid == user.Uid ? UnixFileMode.UserExecute : o.Gid == user.Gid ? UnixFileMode.GroupExecute : UnixFileMode.OtherExecute;
            if ((o.Mode & bit) == 0)
            {
                return (path, o.Uid, o.Mode);
            }
        }

        return null;
    }
}
