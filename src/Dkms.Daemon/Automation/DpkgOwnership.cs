namespace Dkms.Daemon.Automation;

/// <summary>
/// Which package installed a path, and whether that package is fully configured, read from dpkg's database
/// (<c>info/*.list</c> and <c>status</c>). A source tree that a <c>*-dkms</c> package unpacked but has not yet
/// configured belongs to that package's postinst, which adds it (also after <c>dpkg --configure -a</c>).
/// </summary>
internal static class DpkgOwnership
{
    /// <summary>True when a package lists <paramref name="path"/> and is not "install ok installed".</summary>
    public static bool AwaitsConfiguration(string adminDir, string path)
    {
        var owner = Owner(adminDir, path);
        return owner is not null && !IsConfigured(adminDir, owner);
    }

    private static string? Owner(string adminDir, string path)
    {
        var info = Path.Combine(adminDir, "info");
        if (!Directory.Exists(info))
        {
            return null;
        }

        foreach (var list in Directory.EnumerateFiles(info, "*.list"))
        {
            try
            {
                if (File.ReadLines(list).Any(line => string.Equals(line, path, StringComparison.Ordinal)))
                {
                    var name = Path.GetFileNameWithoutExtension(list);
                    var colon = name.IndexOf(':', StringComparison.Ordinal); // multiarch: "libfoo:amd64"
                    return colon < 0 ? name : name[..colon];
                }
            }
            catch (IOException)
            {
                // dpkg is rewriting it: the next reconcile reads it again
            }
        }

        return null;
    }

    private static bool IsConfigured(string adminDir, string package)
    {
        var current = (string?)null;
        foreach (var line in File.ReadLines(Path.Combine(adminDir, "status")))
        {
            if (line.StartsWith("Package: ", StringComparison.Ordinal))
            {
                current = line["Package: ".Length..].Trim();
            }
            else if (current == package && line.StartsWith("Status: ", StringComparison.Ordinal))
            {
                return line.EndsWith(" ok installed", StringComparison.Ordinal);
            }
        }

        return false;
    }
}
