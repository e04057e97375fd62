namespace Dkms.Core.Platform;

/// <summary>
/// Whether this process runs in a chroot (an image being built, an installer's target), where signing with the
/// machine's key makes no sense: dkms 3.4's <c>try_sign_modules=not_in_chroot</c>.
/// </summary>
/// <remarks>
/// dkms 3.4 compares this process's whole <c>/proc/self/mountinfo</c> with init's, so anything in its own mount
/// namespace counts as a chroot: dkmsd under systemd (<c>ProtectSystem=</c>, <c>PrivateTmp=</c>) would never sign.
/// Here only the root is compared, so a namespace with the same root is not a chroot:
/// <list type="bullet">
/// <item>fakechroot's environment, as dkms;</item>
/// <item>the mount this process sees at <c>/</c> (device and root within it) against init's; a process chrooted into a
/// directory sees no mount at <c>/</c> at all (the kernel hides mounts outside its root);</item>
/// <item>as root, the device and inode of <c>/</c> against those of <c>/proc/1/root</c>, as dkms (when the kernel lets
/// root read that link: without CAP_SYS_PTRACE it may not, and that alone proves nothing);</item>
/// </list>
/// Without /proc nothing can be compared: root is then taken to be in a chroot (dkms's answer too), others not.
/// </remarks>
public static class ChrootCheck
{
    /// <summary>
    /// True when process <paramref name="pid"/> (<c>self</c>: this one) looks chrooted; <paramref name="proc"/> is where
    /// procfs is (tests pass a copy, or another process's pid).
    /// </summary>
    public static bool InChroot(string proc, string pid, bool isRoot, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.GetValueOrDefault("FAKECHROOT") == "true"
            && environment.ContainsKey("FAKECHROOT_BASE")
            && (environment.GetValueOrDefault("LD_PRELOAD") ?? string.Empty).Contains("libfakechroot.so", StringComparison.Ordinal))
        {
            return true;
        }

        var self = Path.Combine(proc, pid, "mountinfo");
        var ours = RootMount(self);
        var init = RootMount(Path.Combine(proc, "1", "mountinfo"));
        if (init is not null && ours != init && (ours is not null || Readable(self)))
        {
            return true; // another mount at "/", or none at all: our root is a directory inside a mount
        }

        if (isRoot && SameFile(Path.Combine(proc, "1", "root"), pid == "self" ? "/" : Path.Combine(proc, pid, "root")) is false)
        {
            return true;
        }

        // No procfs at all: nothing to compare. dkms, as root, then says chroot (a booted system has /proc).
        return isRoot && !Directory.Exists(Path.Combine(proc, "1")) && !Readable(self);
    }

    /// <summary>This process, with this process's environment.</summary>
    public static bool InChroot(string proc, bool isRoot)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in new[] { "FAKECHROOT", "FAKECHROOT_BASE", "LD_PRELOAD" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } v)
            {
                env[name] = v;
            }
        }

        return InChroot(proc, "self", isRoot, env);
    }

    /// <summary>
    /// The device and root-within-filesystem of the topmost mount at <c>/</c> in a mountinfo file; null when the file
    /// cannot be read or shows no mount at <c>/</c>.
    /// </summary>
    internal static (string Device, string Root)? RootMount(string mountinfo)
    {
        (string, string)? found = null;
        try
        {
            foreach (var line in File.ReadLines(mountinfo))
            {
                // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": id parent dev root mountpoint ...
                var f = line.Split(' ', 6);
                if (f.Length >= 5 && f[4] == "/")
                {
                    found = (f[2], f[3]); // later lines are mounted on top of earlier ones
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return found;
    }

    private static bool Readable(string mountinfo)
    {
        try
        {
            return File.ReadLines(mountinfo).Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when both paths are the same directory (device and inode); null when either cannot be read.</summary>
    private static bool? SameFile(string a, string b)
    {
        var x = Libc.FileIdentity(-1, a);
        var y = Libc.FileIdentity(-1, b);
        return x is { } sx && y is { } sy ? sx == sy : null;
    }
}
