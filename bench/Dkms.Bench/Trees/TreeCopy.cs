using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Trees;

/// <summary>File-tree helpers: copies with <c>cp -a</c>, and a built kernel's entries duplicated under another kernel name.</summary>
internal static class TreeCopy
{
    public static async Task CopyAsync(string from, string to) =>
        (await Proc.RunAsync("cp", ["-a", from, to])).Checked($"cp -a {from} {to}");

    /// <summary>
    /// Makes <paramref name="kernel"/> look built and installed wherever <paramref name="template"/> is: copies
    /// <c>&lt;m&gt;/&lt;v&gt;/&lt;template&gt;</c>, the <c>kernel-&lt;k&gt;-&lt;arch&gt;</c> link and the install tree's
    /// <c>updates/</c> (enough for status; nothing is built).
    /// </summary>
    public static async Task DuplicateKernelAsync(BenchTrees t, string template, string kernel, string arch = "x86_64")
    {
        foreach (var module in Directory.EnumerateDirectories(t.DkmsTree))
        {
            if (Path.GetFileName(module).StartsWith('.'))
            {
                continue;
            }

            foreach (var version in Directory.EnumerateDirectories(module))
            {
                var built = Path.Combine(version, template);
                if (Directory.Exists(built) && !File.Exists(built))
                {
                    await CopyAsync(built, Path.Combine(version, kernel));
                }
            }

            var link = Path.Combine(module, $"kernel-{template}-{arch}");
            if (new FileInfo(link).LinkTarget is { } target)
            {
                File.CreateSymbolicLink(Path.Combine(module, $"kernel-{kernel}-{arch}"), target.Replace(template, kernel, StringComparison.Ordinal));
            }
        }

        var to = Directory.CreateDirectory(Path.Combine(t.InstallTree, kernel)).FullName;
        var updates = Path.Combine(t.InstallTree, template, "updates");
        if (Directory.Exists(updates))
        {
            await CopyAsync(updates, to);
        }
    }
}
