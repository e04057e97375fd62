using Dkms.Core.Docs;

namespace Dkms.Daemon.Options;

/// <summary>dkmsd(8): written from <see cref="DaemonCommandLine"/>'s options.</summary>
internal static class DaemonManPage
{
    public static string Text()
    {
        var page = new Roff("dkmsd", 8, "System Administration")
            .Section("Name")
            .Raw("dkmsd \\- the daemon that builds out\\-of\\-tree kernel modules for every kernel")
            .Section("Synopsis")
            .Raw(".B dkmsd\n[\\fIoptions\\fR]")
            .Section("Description")
            .Paragraph("dkmsd does what dkms does, as a service: it watches the installed kernels and the module sources, builds "
                + "and installs the AUTOINSTALL modules for a kernel as soon as its headers appear (several at once, in dependency "
                + "order, never while dpkg holds its lock), and answers dkmsctl (and dkms, its drop-in) over a Unix socket. It "
                + "announces jobs on the system bus for dkms-notify. It is started by systemd (Type=notify, usually through "
                + "dkmsd.socket) and logs to the journal.")
            .Paragraph("Package code (dkms.conf, PRE_BUILD, make, POST_BUILD) runs in a bubblewrap sandbox as the dkms-build user: "
                + "read-only outside the module's build directory, without network, in its own PID namespace. framework.conf's "
                + "build_sandbox=\"none\" turns that off.")
            .Section("Options");
        foreach (var (option, (value, help)) in DaemonCommandLine.Help)
        {
            page.Item([option], value, help);
        }

        return page
            .Paragraph("Each option is also a setting: Dkmsd__Socket=... in the environment, or Dkmsd:Socket in appsettings.json.")
            .Section("Signals")
            .Item(["SIGTERM"], null, "Stop: running jobs are cancelled, their build processes ended, and each job's record says so.")
            .Section("Files")
            .Item(["/etc/dkms/framework.conf"], null, "The trees, signing and the build sandbox, as dkms reads them.")
            .Item(["/var/lib/dkms"], null, "The dkms tree; dkmsd's own state is in its .dkmsd directory.")
            .Item([Protocol.DkmsContract.DefaultSocket], null, "The socket (dkmsd.socket).")
            .Section("See also")
            .Raw(".BR dkmsctl (8),\n.BR dkms\\-notify (1),\n.BR systemd.service (5)")
            .ToString();
    }
}
