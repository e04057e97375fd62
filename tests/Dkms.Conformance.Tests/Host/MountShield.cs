using Dkms.Conformance.Tests.Processes;

namespace Dkms.Conformance.Tests.Host;

/// <summary>
/// Runs a command in a private mount namespace where the machine's dkms state cannot be touched:
/// <c>/var/lib/dkms</c> and <c>/lib/modules</c> are bind-mounted from per-run temporary directories and
/// <c>/usr/src</c>, <c>/etc/dkms</c> and <c>/boot</c> are read-only.
/// </summary>
/// <remarks>
/// The reference dkms 3.0.10 needs this: it writes <c>/var/lib/dkms/mok.key</c> and runs depmod on
/// <c>/lib/modules</c> whatever <c>--dkmstree</c>/<c>--installtree</c> say. dkmsctl runs under the same
/// shield so both see the same <c>/lib/modules/&lt;k&gt;/build</c> (ddcci's Makefiles hard-code it) and so a
/// dkmsctl bug that writes outside its trees shows up in the shield directories instead of on the machine.
/// The mounts vanish with the namespace when the command exits. Needs root and util-linux unshare.
/// </remarks>
internal static class MountShield
{
    public const string StateDir = "/var/lib/dkms";
    public const string ModulesDir = "/lib/modules";

    // $1 = directory shown as /var/lib/dkms, $2 = directory shown as /lib/modules, the rest = the command.
    private const string Script = """
        set -e
        mount --bind "$1" /var/lib/dkms
        mount --bind "$2" /lib/modules
        shift 2
        for d in /usr/src /etc/dkms /boot; do
          if [ -d "$d" ]; then mount --bind "$d" "$d"; mount -o remount,ro,bind "$d"; fi
        done
        set +e
        exec "$@"
        """;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The command line that runs <paramref name="fileName"/> inside the shield.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) Wrap(string stateDir, string modulesDir, string fileName,
        IEnumerable<string> arguments) =>
        ("unshare", ["-m", "--propagation", "private", "bash", "-c", Script, "mount-shield", stateDir, modulesDir, fileName, .. arguments]);

    /// <summary>Null when the shield works on this machine, else why not.</summary>
    public static async Task<string?> ProbeAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "not root (mount namespaces need CAP_SYS_ADMIN)";
        }

        if (!Directory.Exists(StateDir) || !Directory.Exists(ModulesDir))
        {
            return $"{StateDir} or {ModulesDir} is missing, so there is nothing to mount over";
        }

        var probe = Directory.CreateTempSubdirectory("dkmsd-shield-probe-").FullName;
        try
        {
            var state = Directory.CreateDirectory(Path.Combine(probe, "state")).FullName;
            var modules = Directory.CreateDirectory(Path.Combine(probe, "modules")).FullName;
            var (file, args) = Wrap(state, modules, "touch", [Path.Combine(StateDir, "probe")]);
            var outcome = await BoundedProcess.RunAsync(file, args, ProbeTimeout).ConfigureAwait(false);
            return outcome.Succeeded && File.Exists(Path.Combine(state, "probe"))
                ? null
                : $"'unshare -m' failed (exit {outcome.ExitCode}): {outcome.Stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return "unshare is not installed: " + e.Message;
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }
}
