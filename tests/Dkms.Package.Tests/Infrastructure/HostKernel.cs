using System.Globalization;
using System.Text.RegularExpressions;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// The Debian kernel ABI the root is built with: the newest <c>6.1.0-NN-amd64</c> whose headers the host has
/// (<c>/lib/modules/K/build</c>), so the version is one the mirror is known to serve. Read only.
/// </summary>
internal static partial class HostKernel
{
    public static string Newest()
    {
        var kernels = Directory.Exists("/lib/modules")
            ? Directory.EnumerateDirectories("/lib/modules").Select(Path.GetFileName).OfType<string>()
                .Where(k => Directory.Exists(Path.Combine("/lib/modules", k, "build")))
            : [];
        return PickNewest(kernels)
            ?? throw new InvalidOperationException(
                "No /lib/modules/6.1.0-NN-amd64/build on the host: install a linux-headers-6.1.0-NN-amd64 package first.");
    }

    /// <summary>The <c>6.1.0-NN-amd64</c> with the highest NN, or null.</summary>
    internal static string? PickNewest(IEnumerable<string> kernels) =>
        kernels.Select(k => (Kernel: k, Match: DebianAbi().Match(k)))
            .Where(x => x.Match.Success)
            .OrderByDescending(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))
            .Select(x => x.Kernel)
            .FirstOrDefault();

    /// <summary>The ABI number of a Debian 12 kernel version, e.g. 57 for 6.1.0-57-amd64.</summary>
    internal static int Abi(string kernel)
    {
        var match = DebianAbi().Match(kernel);
        return match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new ArgumentException($"'{kernel}' is not a 6.1.0-NN-amd64 kernel version.", nameof(kernel));
    }

    [GeneratedRegex(@"^6\.1\.0-(\d+)-amd64$")]
    private static partial Regex DebianAbi();
}
