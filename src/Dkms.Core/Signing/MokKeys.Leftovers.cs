using Dkms.Core.Tree;

namespace Dkms.Core.Signing;

public static partial class MokKeys
{
    /// <summary>What the temporary names of a generation contain (<c>.mok.key.dkms-new-&lt;pid&gt;-&lt;thread&gt;</c>).</summary>
    internal const string LeftoverMarker = ".dkms-new-";

    private static readonly EnumerationOptions LeftoverSearch = new() { AttributesToSkip = 0, MatchType = MatchType.Simple };

    /// <summary>
    /// Deletes the temporary files of a generation that was killed (<c>.mok.key.dkms-new-*</c> beside the key,
    /// <c>.mok.pub.dkms-new-*</c> beside the certificate). Only while nobody holds the generation lock: a
    /// generation that runs now holds it, and deletes its own files.
    /// </summary>
    /// <returns>The files deleted.</returns>
    public static IReadOnlyList<string> RemoveLeftovers(string key, string certificate)
    {
        if (key.StartsWith("pkcs11:", StringComparison.Ordinal) || !Leftovers(key, certificate).Any())
        {
            return [];
        }

        var removed = new List<string>();
        try
        {
            using var held = ModuleLock.TryAcquire(DirectoryOf(key), LockName(key));
            if (held is null)
            {
                return [];
            }

            foreach (var leftover in Leftovers(key, certificate))
            {
                File.Delete(leftover);
                removed.Add(leftover);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to clean (a directory we cannot write); the next run as root will.
        }

        return removed;
    }

    private static IEnumerable<string> Leftovers(string key, string certificate) =>
        new[] { key, certificate }
            .Where(p => Directory.Exists(DirectoryOf(p)))
            .SelectMany(p => Directory.EnumerateFiles(DirectoryOf(p), "." + Path.GetFileName(p) + LeftoverMarker + "*", LeftoverSearch))
            .Distinct(StringComparer.Ordinal);
}
