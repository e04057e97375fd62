namespace Dkms.Daemon.Options;

/// <summary>dkmsd's own settings: its socket, the trees (over framework.conf) and who may change things.</summary>
internal sealed class DaemonOptions
{
    /// <summary>The configuration section (<c>Dkmsd:Socket</c>, environment <c>Dkmsd__Socket</c>).</summary>
    public const string SectionName = "Dkmsd";

    public const int MaxWorkers = 256;

    /// <summary>The Unix socket to listen on when systemd does not pass one.</summary>
    public string Socket { get; set; } = Protocol.DkmsContract.DefaultSocket;

    /// <summary><c>--dkmstree</c>: wins over framework.conf's <c>dkms_tree</c>.</summary>
    public string? DkmsTree { get; set; }

    /// <summary><c>--sourcetree</c>.</summary>
    public string? SourceTree { get; set; }

    /// <summary><c>--installtree</c>.</summary>
    public string? InstallTree { get; set; }

    /// <summary><c>--framework-conf</c>: the framework.conf to read (default /etc/dkms/framework.conf).</summary>
    public string? FrameworkConf { get; set; }

    /// <summary>The root whose os-release decides the default dkms profile (<c>/</c>); DKMS_COMPAT and dkms_compat win over it.</summary>
    public string? OsReleaseRoot { get; set; }

    /// <summary><c>--no-depmod</c>: never run depmod, whatever a request says.</summary>
    public bool NoDepmod { get; set; }

    /// <summary><c>--no-dbus</c>: stay off the system bus (no name, no signals).</summary>
    public bool NoDBus { get; set; }

    /// <summary>Members of this group (primary or supplementary) may run actions, as root may.</summary>
    public uint? AdminGid { get; set; }

    /// <summary>Members of this group may read every job, log and event, whatever the dkms tree's permissions.</summary>
    public uint? ReadGid { get; set; }

    /// <summary>How often the reconciler compares the trees with what should be, besides watcher events (<c>hh:mm:ss</c>; 0 disables).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>--no-automation</c>: no watchers, no reconciler: the daemon only runs what it is asked.</summary>
    public bool NoAutomation { get; set; }

    /// <summary>
    /// <c>--dpkg-admindir</c>: dpkg's database. While apt or dpkg holds its lock there, automatic work waits, so
    /// that the daemon never races a package's maintainer scripts.
    /// </summary>
    public string DpkgAdminDir { get; set; } = Automation.DpkgLock.DefaultAdminDir;

    /// <summary>Jobs that may run at once.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;
}
