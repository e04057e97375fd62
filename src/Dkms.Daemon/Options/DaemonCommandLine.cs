namespace Dkms.Daemon.Options;

/// <summary>
/// dkmsd's command line, mapped onto the <see cref="DaemonOptions.SectionName"/> configuration section
/// so that flags, environment and configuration files all bind to one validated options class.
/// </summary>
internal static class DaemonCommandLine
{
    /// <summary>Options that take a value, and the configuration key each sets.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = Key(nameof(DaemonOptions.Socket)),
        ["--dkmstree"] = Key(nameof(DaemonOptions.DkmsTree)),
        ["--sourcetree"] = Key(nameof(DaemonOptions.SourceTree)),
        ["--installtree"] = Key(nameof(DaemonOptions.InstallTree)),
        ["--framework-conf"] = Key(nameof(DaemonOptions.FrameworkConf)),
        ["--os-release-root"] = Key(nameof(DaemonOptions.OsReleaseRoot)),
        ["--admin-gid"] = Key(nameof(DaemonOptions.AdminGid)),
        ["--read-gid"] = Key(nameof(DaemonOptions.ReadGid)),
        ["--workers"] = Key(nameof(DaemonOptions.Workers)),
        ["--reconcile-interval"] = Key(nameof(DaemonOptions.ReconcileInterval)),
        ["--dpkg-admindir"] = Key(nameof(DaemonOptions.DpkgAdminDir)),
    };

    /// <summary>Flags (no value), and the configuration key each sets to true.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--no-depmod"] = Key(nameof(DaemonOptions.NoDepmod)),
        ["--no-automation"] = Key(nameof(DaemonOptions.NoAutomation)),
        ["--no-dbus"] = Key(nameof(DaemonOptions.NoDBus)),
    };

    /// <summary>What each option does (its man page), and the value it takes (null for a flag).</summary>
    public static readonly IReadOnlyDictionary<string, (string? Value, string Help)> Help = new Dictionary<string, (string?, string)>(StringComparer.Ordinal)
    {
        ["--socket"] = ("path", $"The Unix socket to listen on when systemd passes none (default {Protocol.DkmsContract.DefaultSocket})."),
        ["--dkmstree"] = ("dir", "The dkms tree; wins over framework.conf's dkms_tree (default /var/lib/dkms)."),
        ["--sourcetree"] = ("dir", "The source tree; wins over framework.conf's source_tree (default /usr/src)."),
        ["--installtree"] = ("dir", "The installed-modules tree; wins over framework.conf's install_tree (default /lib/modules)."),
        ["--framework-conf"] = ("file", "The framework.conf to read (default /etc/dkms/framework.conf)."),
        ["--os-release-root"] = ("dir", "The root whose etc/os-release (or usr/lib/os-release) chooses the default dkms profile (default /); DKMS_COMPAT and framework.conf's dkms_compat win over it."),
        ["--admin-gid"] = ("gid", "Members of this group may run actions, as root may."),
        ["--read-gid"] = ("gid", "Members of this group may read every job, log and event, whatever the dkms tree's permissions."),
        ["--workers"] = ("number", $"Jobs that may run at once (default: the number of CPUs; at most {DaemonOptions.MaxWorkers})."),
        ["--reconcile-interval"] = ("hh:mm:ss", "How often the trees are compared with what should be, besides the watchers' events (default 00:10:00; 0 disables)."),
        ["--dpkg-admindir"] = ("dir", "dpkg's database: while apt or dpkg holds its lock, automatic work waits (default /var/lib/dpkg)."),
        ["--no-depmod"] = (null, "Never run depmod, whatever a request says."),
        ["--no-automation"] = (null, "No watchers and no reconciler: the daemon only runs what it is asked."),
        ["--no-dbus"] = (null, "Stay off the system bus: no name, no signals."),
    };

    /// <summary>Turns argv into configuration pairs; unknown options are an error, not silently ignored.</summary>
    /// <exception cref="ArgumentException">An unknown option, or an option without its value.</exception>
    public static Dictionary<string, string?> Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (Flags.TryGetValue(name, out var flagKey))
            {
                values[flagKey] = eq > 0 ? arg[(eq + 1)..] : "true";
            }
            else if (Switches.TryGetValue(name, out var key))
            {
                if (eq > 0)
                {
                    values[key] = arg[(eq + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    values[key] = args[++i];
                }
                else
                {
                    throw new ArgumentException($"Option {name} needs a value.");
                }
            }
            else
            {
                throw new ArgumentException(
                    $"Unknown argument '{arg}'. Options: {string.Join(' ', Switches.Keys.Concat(Flags.Keys))}.");
            }
        }

        return values;
    }

    private static string Key(string property) => $"{DaemonOptions.SectionName}:{property}";
}
