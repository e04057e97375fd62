using Dkms.Core.Processes;

namespace Dkms.Core.Actions;

/// <summary>A module's <c>version</c> and <c>srcversion</c> as <c>modinfo</c> reports them.</summary>
public sealed record ModInfo(string Version, string SrcVersion)
{
    /// <summary>Reads them with <c>modinfo</c>; empty fields when the tool or the file fails.</summary>
    public static Task<ModInfo> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        ReadAsync(ProcessRunner.Default, path, cancellationToken);

    /// <summary><see cref="ReadAsync(string, CancellationToken)"/> through <paramref name="processes"/>.</summary>
    public static async Task<ModInfo> ReadAsync(IProcessRunner processes, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processes);
        var result = await processes.RunAsync(new ProcessSpec("modinfo", [Path.GetFullPath(path)])
        {
            Timeout = TimeSpan.FromSeconds(30),
        }, cancellationToken).ConfigureAwait(false);
        string version = string.Empty, src = string.Empty, checksum = string.Empty;
        foreach (var line in result.Stdout.Split('\n'))
        {
            if (line.StartsWith("version:", StringComparison.Ordinal))
            {
                var words = line["version:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                version = words.ElementAtOrDefault(0) ?? string.Empty;
                checksum = words.ElementAtOrDefault(1) ?? string.Empty;
            }
            else if (line.StartsWith("srcversion:", StringComparison.Ordinal))
            {
                src = line["srcversion:".Length..].Trim();
            }
        }

        return new ModInfo(version, src.Length > 0 ? src : checksum);
    }

    /// <summary>
    /// dkms's compare_module_version: <c>==</c> same version and srcversion, <c>=</c> same version,
    /// <c>?</c> either unknown, else <c>&gt;</c> or <c>&lt;</c> by VER.
    /// </summary>
    public static string Compare(ModInfo a, ModInfo b)
    {
        if (a.Version == b.Version)
        {
            return a.SrcVersion == b.SrcVersion ? "==" : "=";
        }

        if (a.Version.Length == 0 || b.Version.Length == 0)
        {
            return "?";
        }

        return Versioning.VersionOrder.CompareVer(a.Version, b.Version) > 0 ? ">" : "<";
    }
}
