namespace Dkms.Core.Platform;

/// <summary>For hosts that keep files of their own (dkmsd's job records): a rename survives power loss once its directory is flushed.</summary>
public static class Durability
{
    /// <summary>Flushes a directory's entries to disk (after a rename into it).</summary>
    public static void FlushDirectory(string directory) => Libc.FsyncDirectory(directory);
}
