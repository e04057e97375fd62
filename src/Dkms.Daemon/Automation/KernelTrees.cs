using Dkms.Core.Tree;
using Dkms.Core.Versioning;

namespace Dkms.Daemon.Automation;

/// <summary>What the install tree says about kernels: which exist, and whose headers are complete.</summary>
internal static class KernelTrees
{
    /// <summary>Kernel directories of the install tree (<c>/lib/modules/&lt;kver&gt;</c>), oldest first.</summary>
    public static List<string> List(string installTree)
    {
        if (!Directory.Exists(installTree))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(installTree).Select(Path.GetFileName).OfType<string>()
            .Where(DkmsTree.LooksLikeKernel).Order(VersionOrder.Natural)];
    }

    /// <summary>
    /// The headers of <paramref name="kernel"/> when they are complete enough to build against: <c>build</c>
    /// (or <c>source</c>) leads to a directory with the Makefile, the configuration and the generated
    /// autoconf.h, the last files a headers package unpacks. Null while a package is still being unpacked.
    /// </summary>
    public static string? CompleteHeaders(string installTree, string kernel)
    {
        foreach (var name in new[] { "build", "source" })
        {
            var dir = Path.Combine(installTree, kernel, name);
            if (File.Exists(Path.Combine(dir, "Makefile")) && File.Exists(Path.Combine(dir, ".config"))
                && (File.Exists(Path.Combine(dir, "include", "generated", "autoconf.h"))
                    || File.Exists(Path.Combine(dir, "include", "config", "auto.conf"))))
            {
                return dir;
            }
        }

        return null;
    }
}
