namespace Dkms.Bench.Infrastructure;

/// <summary>
/// A private mount namespace in which <c>/var/lib/dkms</c> and <c>/lib/modules</c> are the run's own
/// directories and <c>/usr/src</c>, <c>/etc/dkms</c> are read-only, as in tests/Dkms.Conformance.Tests'
/// MountShield: Debian's dkms 3.0.10 writes there whatever its tree options say.
/// </summary>
internal static class Shield
{
    // $1 = shown as /var/lib/dkms, $2 = shown as /lib/modules, the rest = the command (exec'd: same pid).
    private const string Script = """
        set -e
        mount --bind "$1" /var/lib/dkms
        mount --bind "$2" /lib/modules
        shift 2
        for d in /usr/src /etc/dkms; do
          if [ -d "$d" ]; then mount --bind "$d" "$d"; mount -o remount,ro,bind "$d"; fi
        done
        set +e
        exec "$@"
        """;

    public static string[] Wrap(string stateDir, string modulesDir, params string[] command) =>
        ["unshare", "-m", "--propagation", "private", "bash", "-c", Script, "shield", stateDir, modulesDir, .. command];
}
