using System.Globalization;
using System.Security.Cryptography;
using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Kernels;
using Dkms.Core.Processes;

namespace Dkms.Core.Artifacts;

/// <summary>Gathers a <see cref="KeyRecord"/> from the trees, the kernel's build directory and the compiler.</summary>
internal sealed class KeyRecordBuilder(DkmsSettings settings, IProcessRunner processes)
{
    /// <summary>The files of the kernel build that decide what a module built against it is.</summary>
    private static readonly string[] KernelBuildFiles =
    [
        "Module.symvers", "include/config/auto.conf", "include/generated/utsrelease.h", "include/generated/uapi/linux/version.h",
        "include/generated/autoconf.h",
    ];

    public async Task<KeyRecord> BuildAsync(ModuleRef mv, KernelTarget t, KernelInfo kernel, DkmsConf conf, string source,
        CancellationToken ct)
    {
        var overrides = new List<KeyFile>();
        var ctx = new ConfContext
        {
            Settings = settings, Module = mv.Module, ModuleVersion = mv.Version, Kernel = t.Kernel, Arch = t.Arch,
            KernelSourceDir = kernel.SourceDir, KernelConfig = kernel.ConfigPath,
        };
        foreach (var file in DkmsConfReader.Files(conf.ConfPath, ctx).Skip(1))
        {
            if (File.Exists(file))
            {
                overrides.Add(Describe(file, Path.GetFileName(file)));
            }
        }

        var kbuild = KernelBuildFiles
            .Select(f => Path.Combine(kernel.SourceDir, f))
            .Select(p => new KeyValuePair<string, string>(Path.GetRelativePath(kernel.SourceDir, p),
                File.Exists(p) ? HashFile(p) : "absent"))
            .ToList();

        var ccEnv = kernel.CompilerEnvironment();
        var cc = ccEnv.TryGetValue("CC", out var c) ? c : "gcc";
        var compiler = new List<KeyValuePair<string, string>>
        {
            new("config_cc_version_text", kernel.ConfigValue("CONFIG_CC_VERSION_TEXT") ?? string.Empty),
            new("cc", cc),
            new("cc_version", await CompilerVersionAsync(cc, ct).ConfigureAwait(false)),
        };

        var env = new List<KeyValuePair<string, string>>
        {
            new("make", Portable(conf.MakeCommand, kernel)),
            new("clean", Portable(conf.CleanCommand, kernel)),
        };
        env.AddRange(ccEnv.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new KeyValuePair<string, string>("env." + e.Key, e.Value)));
        foreach (var spec in conf.Modules)
        {
            env.Add(new($"module.{spec.Index.ToString(CultureInfo.InvariantCulture)}", spec.BuiltLocation + spec.BuiltName + ".ko"));
        }

        return new KeyRecord
        {
            Module = mv.Module,
            Version = mv.Version,
            Kernel = t.Kernel,
            Arch = t.Arch,
            Source = SourceFiles(source),
            Overrides = overrides,
            KernelBuild = kbuild,
            Compiler = compiler,
            BuildEnvironment = env,
        };
    }

    /// <summary>
    /// A command without this machine's paths (the dkms tree, the kernel's build directory, both in dkms's default make
    /// line), so machines with other trees share keys; the kernel build's content is in the record by hash.
    /// </summary>
    private string Portable(string command, KernelInfo kernel) =>
        command.Replace(kernel.SourceDir, "${kernel_source_dir}", StringComparison.Ordinal)
            .Replace(settings.DkmsTree, "${dkms_tree}", StringComparison.Ordinal);

    /// <summary>Every file and link under <paramref name="root"/> (links not followed), sorted by path.</summary>
    internal static List<KeyFile> SourceFiles(string root)
    {
        var real = new DirectoryInfo(root).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? root;
        var files = new List<KeyFile>();
        var pending = new Stack<string>();
        pending.Push(real);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                var rel = Path.GetRelativePath(real, entry.FullName);
                if (entry.LinkTarget is { } target)
                {
                    files.Add(new KeyFile(rel, "link", target));
                }
                else if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
                else
                {
                    files.Add(Describe(entry.FullName, rel));
                }
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    private static KeyFile Describe(string path, string name) =>
        new(name, Convert.ToString((int)File.GetUnixFileMode(path) & 0x1FF, 8), HashFile(path));

    private static string HashFile(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    private async Task<string> CompilerVersionAsync(string cc, CancellationToken ct)
    {
        try
        {
            var r = await processes.RunAsync(new ProcessSpec(cc, ["--version"]) { Timeout = TimeSpan.FromSeconds(20) }, ct).ConfigureAwait(false);
            return r.Succeeded ? r.Stdout.Trim() : $"exit {r.ExitCode.ToString(CultureInfo.InvariantCulture)}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return "unavailable";
        }
    }
}
