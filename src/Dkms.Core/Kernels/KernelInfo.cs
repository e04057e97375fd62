using Dkms.Core.Actions;
using Dkms.Core.Framework;
using Dkms.Core.Tree;

namespace Dkms.Core.Kernels;

/// <summary>Where a kernel's headers and configuration are, and what they say about building for it.</summary>
public sealed record KernelInfo(string Kernel, string Arch, string SourceDir, string ConfigPath)
{
    /// <summary>dkms's header check: <c>&lt;kernel_source_dir&gt;/include</c> exists.</summary>
    public bool HeadersPresent => Directory.Exists(Path.Combine(SourceDir, "include"));

    /// <summary>
    /// The headers: <paramref name="kernelSourceDir"/> when given, else <c>&lt;install_tree&gt;/k/build</c>,
    /// else <c>&lt;install_tree&gt;/k/source</c>; the configuration: <paramref name="kernelConfig"/>, else the
    /// headers' <c>.config</c>, else their <c>include/config/auto.conf</c>.
    /// </summary>
    public static KernelInfo Resolve(DkmsSettings settings, string kernel, string arch, string? kernelSourceDir = null, string? kernelConfig = null)
    {
        var source = kernelSourceDir;
        if (string.IsNullOrEmpty(source))
        {
            var build = Path.Combine(settings.InstallTree, kernel, "build");
            var src = Path.Combine(settings.InstallTree, kernel, "source");
            source = Directory.Exists(build) || !Directory.Exists(src) ? build : src;
        }

        var config = kernelConfig;
        if (string.IsNullOrEmpty(config))
        {
            config = Path.Combine(source, ".config");
            var auto = Path.Combine(source, "include", "config", "auto.conf");
            if (!File.Exists(config) && File.Exists(auto))
            {
                config = auto;
            }
        }

        return new KernelInfo(kernel, arch, source, config);
    }

    /// <summary><see cref="Resolve(DkmsSettings, string, string, string?, string?)"/> for a target, with <c>--kernelsourcedir</c> and <c>--config</c>.</summary>
    public static KernelInfo Resolve(DkmsSettings settings, KernelTarget target, ActionOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        return Resolve(settings, target.Kernel, target.Arch, options.KernelSourceDir, options.KernelConfig);
    }

    /// <summary>The value of <c>CONFIG_NAME</c> in the kernel configuration (quotes removed), or null.</summary>
    public string? ConfigValue(string name)
    {
        if (!File.Exists(ConfigPath))
        {
            return null;
        }

        var prefix = name + "=";
        foreach (var line in File.ReadLines(ConfigPath))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim('"');
            }
        }

        return null;
    }

    /// <summary>
    /// The compiler environment dkms exports for a build: the kernel's own compiler (first word of
    /// CONFIG_CC_VERSION_TEXT, e.g. gcc-12) when installed, clang and ld.lld for clang-built kernels.
    /// </summary>
    public IReadOnlyDictionary<string, string> CompilerEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(ConfigPath))
        {
            return env;
        }

        if (ConfigValue("CONFIG_CC_IS_CLANG") == "y")
        {
            env["CC"] = env["KERNEL_CC"] = "clang";
        }
        else if (ConfigValue("CONFIG_CC_VERSION_TEXT") is { Length: > 0 } text)
        {
            var cc = text.Split(' ', 2)[0];
            if (OnPath(cc))
            {
                env["CC"] = env["KERNEL_CC"] = cc;
            }
        }

        if (ConfigValue("CONFIG_LD_IS_LLD") == "y" && OnPath("ld.lld"))
        {
            env["LD"] = env["KERNEL_LD"] = "ld.lld";
        }

        return env;
    }

    /// <summary>
    /// The compressed-module suffix of this kernel: from its <c>modules.dep</c> (3.0.10) or, failing
    /// that, its installed files (upstream); the last of .gz, .xz, .zst found wins.
    /// </summary>
    public static string CompressionSuffix(DkmsSettings settings, string kernel)
    {
        var dir = Path.Combine(settings.InstallTree, kernel);
        var dep = Path.Combine(dir, "modules.dep");
        string suffix = string.Empty;
        if (File.Exists(dep))
        {
            var text = File.ReadAllText(dep);
            foreach (var ext in ModuleFiles.Compressions)
            {
                if (text.Contains(".ko" + ext + ":", StringComparison.Ordinal))
                {
                    suffix = ext;
                }
            }

            return suffix;
        }

        var kernelDir = Path.Combine(dir, "kernel");
        if (Directory.Exists(kernelDir))
        {
            foreach (var ext in ModuleFiles.Compressions)
            {
                if (Directory.EnumerateFiles(kernelDir, "*.ko" + ext, SearchOption.AllDirectories).Any())
                {
                    suffix = ext;
                }
            }
        }

        return suffix;
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, command)));
}
