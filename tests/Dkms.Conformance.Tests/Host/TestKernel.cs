namespace Dkms.Conformance.Tests.Host;

/// <summary>The kernel the corpus is built for: its version and the real headers directory.</summary>
/// <remarks>
/// Discovered at run time, never hard-coded: <see cref="OverrideVariable"/> names a version; otherwise the
/// newest <c>/lib/modules/*/build</c>, else the newest <c>/usr/src/linux-headers-*</c>, that is usable
/// for building (has <c>include/</c>, <c>Makefile</c> and <c>.config</c>; the latter rules out Debian's
/// <c>-common</c> half of the headers).
/// </remarks>
internal sealed record TestKernel(string Version, string HeadersDir)
{
    /// <summary>Environment variable that picks the kernel version explicitly.</summary>
    public const string OverrideVariable = "DKMSD_TEST_KERNEL";

    private const string ModulesRoot = "/lib/modules";
    private const string SourcesRoot = "/usr/src";
    private const string HeadersPrefix = "linux-headers-";

    public static TestKernel Discover()
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } wanted)
        {
            return FromVersion(wanted)
                ?? throw new InvalidOperationException(
                    $"{OverrideVariable}={wanted}, but neither {ModulesRoot}/{wanted}/build nor {SourcesRoot}/{HeadersPrefix}{wanted} holds usable headers.");
        }

        var fromModules = Directory.Exists(ModulesRoot)
            ? Directory.GetDirectories(ModulesRoot).Select(d => Path.GetFileName(d)!)
            : [];
        var fromSources = Directory.Exists(SourcesRoot)
            ? Directory.GetDirectories(SourcesRoot, HeadersPrefix + "*").Select(d => Path.GetFileName(d)![HeadersPrefix.Length..])
            : [];
        return fromModules.Select(FromVersion).OfType<TestKernel>().MaxBy(k => k.Version, KernelVersionComparer.Instance)
            ?? fromSources.Select(FromVersion).OfType<TestKernel>().MaxBy(k => k.Version, KernelVersionComparer.Instance)
            ?? throw new InvalidOperationException(
                $"No usable kernel headers under {ModulesRoot}/*/build or {SourcesRoot}/{HeadersPrefix}*: install linux-headers-amd64 "
                + $"(or set {OverrideVariable}).");
    }

    private static TestKernel? FromVersion(string version)
    {
        foreach (var candidate in new[] { Path.Combine(ModulesRoot, version, "build"), Path.Combine(SourcesRoot, HeadersPrefix + version) })
        {
            if (Usable(candidate))
            {
                // Resolve the symlink so the trees point straight at the headers, as /lib/modules/<k>/build does.
                var resolved = new DirectoryInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
                return new TestKernel(version, resolved);
            }
        }

        return null;
    }

    private static bool Usable(string dir) =>
        Directory.Exists(Path.Combine(dir, "include"))
        && File.Exists(Path.Combine(dir, "Makefile"))
        && File.Exists(Path.Combine(dir, ".config"));
}
