using Dkms.Conformance.Tests.Processes;

namespace Dkms.Conformance.Tests.Corpus;

/// <summary>
/// Fetches corpus packages by name with the ordinary Debian client (<c>apt-get download</c>) into a
/// cache that survives runs, and unpacks them with <c>dpkg -x</c> (no maintainer script ever runs).
/// </summary>
internal sealed class DebianCorpus
{
    /// <summary>Environment variable naming the .deb cache directory.</summary>
    public const string CacheVariable = "DKMSD_CORPUS_CACHE";

    /// <summary>The cache used when <see cref="CacheVariable"/> is not set.</summary>
    public const string DefaultCacheDir = "/var/cache/dkmsd-corpus";

    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan UnpackTimeout = TimeSpan.FromMinutes(2);

    public DebianCorpus(string? cacheDir = null)
    {
        CacheDir = cacheDir ?? (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } dir ? dir : DefaultCacheDir);
        Directory.CreateDirectory(CacheDir);
    }

    public string CacheDir { get; }

    /// <summary>The package's .deb: the one already in the cache, else a fresh download.</summary>
    public async Task<string> FetchAsync(string package)
    {
        if (Cached(package) is { } deb)
        {
            return deb;
        }

        // Download into a private directory and move the finished file in, so an interrupted
        // download never leaves a truncated .deb that a later run would reuse.
        var staging = Directory.CreateTempSubdirectory("dkmsd-corpus-").FullName;
        try
        {
            ProcessOutcome outcome;
            try
            {
                outcome = await BoundedProcess.RunAsync("apt-get", ["download", package], DownloadTimeout, staging).ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"apt-get is not available ({e.Message}): the corpus is fetched from the Debian archive.", e);
            }

            var downloaded = Directory.GetFiles(staging, package + "_*.deb");
            if (!outcome.Succeeded || downloaded.Length != 1)
            {
                Assert.Fail($"'apt-get download {package}' failed (exit {outcome.ExitCode}). The conformance test fetches the "
                    + "corpus from the Debian archive: it needs a Debian 12 (bookworm) sources list with 'main' and a current "
                    + $"'apt-get update', or a cache pre-filled via {CacheVariable}.\n{outcome.Tail()}");
            }

            var target = Path.Combine(CacheDir, Path.GetFileName(downloaded[0]));
            File.Move(downloaded[0], target, overwrite: true);
            return target;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Unpacks <paramref name="deb"/> under <paramref name="root"/> and returns its single <c>usr/src/&lt;m&gt;-&lt;v&gt;</c>.</summary>
    public static async Task<string> UnpackAsync(string deb, string root)
    {
        await BoundedProcess.RunCheckedAsync("dpkg", ["-x", deb, root], UnpackTimeout).ConfigureAwait(false);
        var usrSrc = Path.Combine(root, "usr", "src");
        var sources = Directory.Exists(usrSrc)
            ? Directory.GetDirectories(usrSrc).Where(d => File.Exists(Path.Combine(d, "dkms.conf"))).ToList()
            : [];
        Assert.True(sources.Count == 1,
            $"{Path.GetFileName(deb)} should hold exactly one usr/src/<module>-<version>/dkms.conf, found {sources.Count}.");
        return sources[0];
    }

    // Package names cannot contain '_', so "<package>_" only matches that package's files.
    private string? Cached(string package) =>
        new DirectoryInfo(CacheDir).GetFiles(package + "_*.deb")
            .Where(f => f.Length > 0)
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Select(f => f.FullName)
            .FirstOrDefault();
}
