using System.Security.Cryptography;
using System.Text;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// The Debian 12 root every container starts from: built once with mmdebstrap from the host's own mirror and cached
/// as /var/cache/dkmsd-tests/debian12-HASH.tar, where HASH covers the package list, the sources and the options.
/// Each container untars a fresh copy (<see cref="CreateCopyAsync"/>).
/// </summary>
internal sealed class DebianRoot
{
    public const string CacheDirectory = "/var/cache/dkmsd-tests";

    // The mirror serves fixed snapshots whose Release files are long expired.
    private static readonly string[] AptOptions = ["Acquire::Check-Valid-Until \"false\"", "Acquire::Check-Date \"false\""];

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(25);

    private readonly Lock _gate = new();
    private Task<string>? _tar;

    public DebianRoot(string kernel, IReadOnlyList<AptSource> sources)
    {
        Kernel = kernel;
        Sources = sources;
    }

    /// <summary>The kernel whose headers the root has: the only /lib/modules entry it starts with.</summary>
    public string Kernel { get; }

    public IReadOnlyList<AptSource> Sources { get; }

    /// <summary>What mmdebstrap installs on top of the "important" variant, sorted.</summary>
    public IReadOnlyList<string> Packages =>
    [
        .. new[]
        {
            "systemd", "systemd-sysv", "dbus", "apt", "build-essential", "kmod", "openssl", "dpkg-dev", "patch",
            "libxtables-dev", "bzip2",
            "bubblewrap",       // dkmsd's build sandbox (a Depends: the image holds it, as apt would fetch it)
            "lsb-release",      // dkms pre-depends on it
            "initramfs-tools",  // kernel images run their postinst.d hooks as on a real system
            "zstd",             // initramfs-tools' default compressor (a Recommends, so not pulled in by itself)
            "ca-certificates",
            "procps",           // pgrep and pidof for the interrupted-configure flow
            "linux-headers-" + Kernel,
        }.Order(StringComparer.Ordinal),
    ];

    /// <summary>Names the cache file: changes whenever the packages, the sources or the options do.</summary>
    public string Hash
    {
        get
        {
            var text = string.Join('\n', ["important", .. AptOptions, .. Packages, .. Sources.Select(s => s.ToOneLine())]);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }

    public string TarPath => Path.Combine(CacheDirectory, $"debian12-{Hash}.tar");

    public static DebianRoot ForHost() => new(HostKernel.Newest(), HostAptSources.Read());

    /// <summary>
    /// The cached tar, built first if missing: once per process (a failed build fails every later caller at once
    /// rather than building again), and once per machine under a file lock.
    /// </summary>
    public Task<string> GetTarAsync(Action<string> log)
    {
        lock (_gate)
        {
            return _tar ??= EnsureBuiltAsync(log);
        }
    }

    /// <summary>Untars a fresh copy and points it at the host's mirror and name servers.</summary>
    public async Task<RootCopy> CreateCopyAsync(string name, Action<string> log)
    {
        var tar = await GetTarAsync(log).ConfigureAwait(false);
        await StaleCopies.SweepAsync(log).ConfigureAwait(false);
        var copy = await RootCopy.UntarAsync(tar, name).ConfigureAwait(false);
        try
        {
            ContainerSetup.Apply(copy, AptOptions);
            return copy;
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string> EnsureBuiltAsync(Action<string> log)
    {
        using (await FileLock.AcquireAsync(Path.Combine(CacheDirectory, "debian12.lock"), LockTimeout).ConfigureAwait(false))
        {
            if (!File.Exists(TarPath))
            {
                await BuildAsync(log).ConfigureAwait(false);
            }
        }

        return TarPath;
    }

    private async Task BuildAsync(Action<string> log)
    {
        log($"building the Debian 12 root {TarPath} with mmdebstrap (about a minute, cached afterwards)");
        var temp = Path.Combine(CacheDirectory, $".debian12-{Hash}.{Environment.ProcessId}.tar");
        List<string> args =
        [
            "--variant=important",
            .. AptOptions.Select(o => $"--aptopt={o}"),
            "--include=" + string.Join(',', Packages),
            Sources[0].Suite,
            temp,
            .. Sources.Select(s => s.ToOneLine()),
        ];

        // mmdebstrap assembles the root in TMPDIR before it writes the tar: keep 600 MB out of /tmp.
        Directory.CreateDirectory(RootCopy.Parent);
        var environment = new Dictionary<string, string> { ["TMPDIR"] = RootCopy.Parent };
        try
        {
            var result = await HostProcess.RunCheckedAsync("mmdebstrap", args, BuildTimeout, environment).ConfigureAwait(false);
            log($"mmdebstrap took {result.Duration.TotalSeconds:F0} s");
            File.Move(temp, TarPath);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
