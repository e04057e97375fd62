using System.Globalization;

namespace Dkms.Core.Sandbox;

/// <summary>
/// The unprivileged user package code runs as: the system user the package creates (<c>dkms-build</c>), or, where it
/// does not exist (a fresh tree, tests), an id no account uses.
/// </summary>
public sealed record BuildUser(string Name, uint Uid, uint Gid, bool Exists)
{
    public const string DefaultName = "dkms-build";

    /// <summary>Where unused ids are looked for, top down: below nobody (65534) and the 65535 "no id".</summary>
    private const uint UnusedFrom = 65_000;

    /// <summary>The user from <paramref name="passwd"/>, or the highest id under 65000 that neither it nor <paramref name="group"/> uses.</summary>
    public static BuildUser Resolve(string name = DefaultName, string passwd = "/etc/passwd", string group = "/etc/group")
    {
        var users = Entries(passwd);
        if (users.FirstOrDefault(u => u.Name == name) is { Name: not null } found && found.Fields.Length >= 4
            && uint.TryParse(found.Fields[2], CultureInfo.InvariantCulture, out var uid)
            && uint.TryParse(found.Fields[3], CultureInfo.InvariantCulture, out var gid))
        {
            return new BuildUser(name, uid, gid, Exists: true);
        }

        var used = users.Concat(Entries(group))
            .Select(e => e.Fields.Length > 2 && uint.TryParse(e.Fields[2], CultureInfo.InvariantCulture, out var id) ? id : uint.MaxValue)
            .ToHashSet();
        var free = UnusedFrom;
        while (used.Contains(free))
        {
            free--;
        }

        return new BuildUser(name, free, free, Exists: false);
    }

    private static List<(string Name, string[] Fields)> Entries(string file) =>
        File.Exists(file)
            ? [.. File.ReadLines(file).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(':')).Select(f => (f[0], f))]
            : [];
}
