namespace Dkms.Core.Platform;

/// <summary>Who owns a path and its permission bits, for hosts that decide access as the kernel would (dkmsd's reads).</summary>
public static class FileOwnership
{
    /// <summary>The owner, group and permission bits (symbolic links followed); null when the path cannot be read.</summary>
    public static (uint Uid, uint Gid, UnixFileMode Mode)? Of(string path) => Libc.Ownership(path);
}
