namespace Dkms.Core.Compat;

/// <summary>The two os-release fields a profile's default depends on.</summary>
public sealed record OsRelease(string Id, string? VersionId)
{
    /// <summary>
    /// Reads <c>&lt;root&gt;/etc/os-release</c>, else <c>&lt;root&gt;/usr/lib/os-release</c>; null when neither exists.
    /// </summary>
    public static OsRelease? Read(string root = "/")
    {
        var etc = Path.Combine(root, "etc/os-release");
        var usr = Path.Combine(root, "usr/lib/os-release");
        var path = File.Exists(etc) ? etc : File.Exists(usr) ? usr : null;
        if (path is null)
        {
            return null;
        }

        string id = string.Empty;
        string? versionId = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim('"', '\'');
            switch (line[..eq])
            {
                case "ID":
                    id = value;
                    break;
                case "VERSION_ID":
                    versionId = value;
                    break;
            }
        }

        return new OsRelease(id, versionId);
    }
}
