namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// Debian's dkms 3.0.10, run in a private mount namespace: it writes <c>/var/lib/dkms/mok.*</c> and runs
/// depmod on <c>/lib/modules</c> whatever its tree options say, so both paths are bind-mounted over
/// with this test's own directories first. The machine's trees are never touched. <c>/etc/dkms</c> is the
/// test's config dir, so dkms reads the same framework.conf as dkmsctl on those trees.
/// </summary>
internal static class ReferenceDkms
{
    public const string Binary = "/usr/sbin/dkms";

    private const string Shield = """
        set -e
        mount --bind "$1" /var/lib/dkms
        mount --bind "$2" /lib/modules
        mount --bind "$3" /etc/dkms
        shift 3
        exec "$@"
        """;

    /// <summary>Throws with the set-up step when the reference is not installed.</summary>
    public static void Require()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("The reference dkms is not installed: apt-get install dkms (.ci/run does).");
        }
    }

    /// <summary>Runs <c>dkms</c> on the trees of <paramref name="t"/> with its own <c>/var/lib/dkms</c> stand-in.</summary>
    public static Task<CliResult> RunAsync(TestTrees t, params string[] args) => RunAsync(t, null, args);

    /// <summary><see cref="RunAsync(TestTrees, string[])"/> with more environment variables.</summary>
    public static Task<CliResult> RunAsync(TestTrees t, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var varLib = Path.Combine(t.Root, "reference-var-lib-dkms");
        Directory.CreateDirectory(varLib);
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>(), StringComparer.Ordinal) { ["parallel_jobs"] = "2" };
        return DkmsCtl.RunAsync(
        [
            "-m", "--propagation", "private", "bash", "-c", Shield, "shield", varLib, t.InstallTree, t.EtcDir,
            Binary, "--dkmstree", t.DkmsTree, "--sourcetree", t.SourceTree, "--installtree", t.InstallTree, .. args,
        ], program: "unshare", environment: env);
    }
}
