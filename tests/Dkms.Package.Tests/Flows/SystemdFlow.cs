using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// dkmsd under real systemd (PID 1 in the container): readiness, socket activation, the hardening, the journal,
/// the D-Bus policy on the real system bus, restarts and a kill -9 during a package's build, client paths in the
/// caller's view (/tmp), and a stop with a watching client. dkmsd only: Debian's dkms has no daemon.
/// </summary>
internal sealed class SystemdFlow : IFlow
{
    public const string Units = "units after install";
    public const string Security = "systemd-analyze security";
    public const string Bus = "busctl as a user";
    public const string UserAction = "dkms build as a user";
    public const string RestartDuringInstall = "systemctl restart during apt's build";
    public const string KillDuringBuild = "kill -9 dkmsd during a build";
    public const string SocketActivation = "stopped service, started by its socket";
    public const string ClientTmp = "add and mktarball in the caller's /tmp";
    public const string StopWithWatch = "stop with a watch client";
    public const string SignsInItsNamespace = "3.4 profile: dkmsd signs in its own mount namespace";
    public const string Upgrade = "upgrade to the next build";
    public const string Journal = "journal";

    public const string Module = "acpi-call";
    private const string Package = "acpi-call-dkms";

    /// <summary>The module's version, from its source tree (the dkms tree also holds kernel-* links beside the version).</summary>
    private const string Version = "$(ls -d /usr/src/acpi-call-* | sed 's|^/usr/src/acpi-call-||')";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(2);

    public static SystemdFlow Instance { get; } = new();

    public string Name => "systemd";

    public TimeSpan Timeout => TimeSpan.FromMinutes(40);

    public async Task RunAsync(FlowSession session)
    {
        Probe restarts = new("restarts", "systemctl show -p NRestarts --value dkmsd.service");
        await ProviderInstaller.InstallAsync(session, Provider.Dkmsd).ConfigureAwait(false);

        await session.StepAsync(Units, "systemctl is-active dkmsd.socket dkmsd.service && systemctl show -p Type,NotifyAccess,WatchdogUSec dkmsd.service",
            Short, Comparison.None).ConfigureAwait(false);
        await session.StepAsync(Security, "systemd-analyze security --no-pager dkmsd.service | tail -n 1", Short, Comparison.None).ConfigureAwait(false);

        // A user reads on the system bus and cannot change anything: the policy grants no other member.
        await session.StepAsync(Bus,
            "id tester >/dev/null 2>&1 || useradd -m tester; "
            + "busctl introspect org.dkmsd.Daemon1 /org/dkmsd/Daemon1 | grep -c '^\\.Get' ; "
            + "setpriv --reuid=tester --regid=tester --init-groups busctl call org.dkmsd.Daemon1 /org/dkmsd/Daemon1 org.dkmsd.Daemon1 GetActiveJobs && "
            + "! setpriv --reuid=tester --regid=tester --init-groups busctl call org.dkmsd.Daemon1 /org/dkmsd/Daemon1 org.freedesktop.DBus.Properties Set ssv org.dkmsd.Daemon1 Version s x 2>/tmp/denied; "
            + "cat /tmp/denied",
            Short, Comparison.None).ConfigureAwait(false);

        // apt installs a package while dkmsd is restarted in the middle of its build: apt must not fail for it.
        await session.StepAsync(RestartDuringInstall,
            $"(apt-get install -y {Package} > /tmp/apt.out 2>&1; echo $? > /tmp/apt.rc) & "
            // "seen": make was running a moment before the restart (a second pgrep could miss a short build's end).
            + "seen=; for i in $(seq 600); do pgrep -x make >/dev/null && { seen=1; break; }; sleep 0.2; done; "
            + "[ -n \"$seen\" ] && echo 'restarting during make'; systemctl restart dkmsd.service; "
            + "wait; cat /tmp/apt.out; exit $(cat /tmp/apt.rc)",
            StepTimeout, Comparison.None, restarts).ConfigureAwait(false);

        await session.StepAsync(UserAction, $"setpriv --reuid=tester --regid=tester --init-groups dkms build -m {Module} -v {Version} -k {session.Kernel} --force",
            Short, Comparison.None).ConfigureAwait(false);

        // kill -9 of the main PID while a build runs: Restart= brings dkmsd back, the client finishes, the tree is whole.
        await session.StepAsync(KillDuringBuild,
            $"v={Version}; dkms uninstall -m {Module} -v $v -k {session.Kernel} >/dev/null; dkms unbuild -m {Module} -v $v -k {session.Kernel} >/dev/null; "
            // --force: dkmsd's local artifact cache would answer the unbuilt module without make; a forced build runs it.
            + $"(dkms install --force -m {Module} -v $v -k {session.Kernel} > /tmp/install.out 2>&1; echo $? > /tmp/install.rc) & "
            + "seen=; for i in $(seq 600); do pgrep -x make >/dev/null && { seen=1; break; }; sleep 0.2; done; "
            + "[ -n \"$seen\" ] && echo 'killing during make'; kill -9 $(systemctl show -p MainPID --value dkmsd.service); "
            + "wait; cat /tmp/install.out; systemctl is-active dkmsd.service; exit $(cat /tmp/install.rc)",
            StepTimeout, Comparison.None, restarts).ConfigureAwait(false);

        await session.StepAsync(SocketActivation,
            "systemctl stop dkmsd.service && systemctl is-active dkmsd.service; dkms status >/dev/null && systemctl is-active dkmsd.service",
            Short, Comparison.None).ConfigureAwait(false);

        // The unit has a private /tmp: paths a client names are the client's (add, mktarball --archive).
        await session.StepAsync(ClientTmp,
            $"rm -rf /tmp/mine && cp -r /usr/src/{Module}-{Version} /tmp/mine && "
            + "sed -i 's/^PACKAGE_NAME=.*/PACKAGE_NAME=\"mine\"/' /tmp/mine/dkms.conf && dkms add /tmp/mine && "
            + $"dkms mktarball -m mine -v {Version} --source-only --archive /tmp/mine.tar.gz && ls /tmp/mine.tar.gz && "
            + $"dkms remove -m mine -v {Version} --all >/dev/null && rm -rf /usr/src/mine-*",
            Short, Comparison.None).ConfigureAwait(false);

        await session.StepAsync(StopWithWatch,
            "(dkmsctl watch > /tmp/watch.out 2>&1 &) ; sleep 2; start=$(date +%s%N); systemctl stop dkmsd.service dkmsd.socket; "
            + "echo stopped in $(( ($(date +%s%N) - start) / 1000000 )) ms; systemctl start dkmsd.socket dkmsd.service",
            Short, Comparison.None).ConfigureAwait(false);

        // The unit's ProtectSystem= and PrivateTmp= give dkmsd a mount namespace of its own; dkms 3.4 would call that a
        // chroot (its mountinfo differs from init's) and never sign. Under the 3.4 profile dkmsd must still sign.
        await session.StepAsync(SignsInItsNamespace,
            "mkdir -p /etc/dkms/framework.conf.d && echo 'dkms_compat=\"3.4\"' > /etc/dkms/framework.conf.d/zz-compat.conf && systemctl restart dkmsd.service && "
            + "readlink /proc/$(systemctl show -p MainPID --value dkmsd.service)/ns/mnt /proc/1/ns/mnt | uniq | wc -l && "
            + $"dkms build -m {Module} -v {Version} -k {session.Kernel} --force; rc=$?; "
            + "rm /etc/dkms/framework.conf.d/zz-compat.conf; systemctl restart dkmsd.service; exit $rc",
            StepTimeout, Comparison.None).ConfigureAwait(false);

        // An upgrade from the previous build (the same package with a higher version): the daemon is restarted on the
        // new binaries, the tree and the modules stay.
        await session.StepAsync(Upgrade,
            "cd /root && rm -rf next && dpkg-deb -R $(ls dkmsd_*_amd64.deb | head -n 1) next && "
            + "sed -i 's/^Version: .*$/&+next1/' next/DEBIAN/control && dpkg-deb -Zgzip -z1 -b next dkmsd-next.deb >/dev/null && "
            + "before=$(systemctl show -p MainPID --value dkmsd.service) && apt-get install -y ./dkmsd-next.deb && "
            + "test \"$(systemctl show -p MainPID --value dkmsd.service)\" != \"$before\" && systemctl is-active dkmsd.service && "
            + "dpkg-query -W -f='${Version}\\n' dkmsd",
            StepTimeout, Comparison.None).ConfigureAwait(false);

        await session.StepAsync(Journal,
            "journalctl -b -u dkmsd.service -o cat --no-pager > /tmp/j; grep -c 'Press Ctrl+C' /tmp/j; grep -cE 'Job [0-9]+ (succeeded|failed|cancelled|skipped)' /tmp/j; grep -cE 'Job [0-9]+ (queued|started)' /tmp/j; grep -c 'Listening on' /tmp/j",
            Short, Comparison.None).ConfigureAwait(false);
    }
}
