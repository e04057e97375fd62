using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Processes;
using Dkms.Core.Signing;
using Dkms.Core.Tree;

namespace Dkms.Core.Build;

/// <summary>
/// The end of a build: strips, signs, compresses and renames the built modules in a staging directory next to the
/// result, then publishes it with one rename, so a crash leaves either no build or a whole one.
/// </summary>
internal sealed class ModulePublisher(DkmsTree tree, BuildLog log, ModuleSigner signer, IProcessRunner processes)
{
    private DkmsSettings Settings => tree.Settings;

    public async Task PublishAsync(ModuleRef mv, KernelTarget t, KernelInfo kernel, SigningPlan? signing, DkmsConf conf,
        string build, CancellationToken ct)
    {
        var kernelDir = tree.KernelDir(mv.Module, mv.Version, t.Kernel);
        Directory.CreateDirectory(kernelDir);
        var staging = Path.Combine(kernelDir, $".tmp_{t.Arch}_{Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal)[..6]}");
        var stagedModules = Path.Combine(staging, "module");
        Directory.CreateDirectory(stagedModules);
        Directory.CreateDirectory(Path.Combine(staging, "log"));
        try
        {
            var symvers = Path.Combine(build, "Module.symvers");
            if (File.Exists(symvers))
            {
                File.Copy(symvers, Path.Combine(stagedModules, "Module.symvers"));
            }

            if (File.Exists(kernel.ConfigPath))
            {
                // 3.0.10 keeps the configuration the module was built against next to its log.
                File.Copy(kernel.ConfigPath, Path.Combine(staging, "log", ".config"));
            }

            var suffix = KernelInfo.CompressionSuffix(Settings, t.Kernel);
            foreach (var spec in conf.Modules)
            {
                var ko = Path.Combine(build, spec.BuiltLocation + spec.BuiltName + ".ko");
                if (spec.Strip)
                {
                    // 3.2+: a kernel built by clang (CC=clang) gets llvm-strip.
                    var strip = Settings.Profile.LlvmStripForClang && kernel.CompilerEnvironment().GetValueOrDefault("CC") == "clang" ? "llvm-strip" : "strip";
                    await log.RunToolAsync(strip, ["-g", ko], $"{strip} -g {ko} failed", DkmsExitCode.BadBuildResult, ct).ConfigureAwait(false);
                }

                if (signing is not null)
                {
                    await signer.SignAsync(signing, ko, ct).ConfigureAwait(false); // before compression, as the kernel expects
                }

                var staged = Path.Combine(stagedModules, spec.DestName + ".ko");
                File.Copy(ko, staged, overwrite: true);
                await CompressAsync(staged, suffix, ct).ConfigureAwait(false);
            }

            File.SetUnixFileMode(staging, (UnixFileMode)Convert.ToInt32("755", 8));
            AtomicFiles.PublishDirectory(staging, tree.BuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch));
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Compresses <paramref name="ko"/> in place; on failure the uncompressed module is kept (as dkms).</summary>
    private async Task CompressAsync(string ko, string suffix, CancellationToken ct)
    {
        var (tool, options) = suffix switch
        {
            ".gz" => ("gzip", Settings.CompressGzipOptions),
            ".xz" => ("xz", Settings.CompressXzOptions),
            ".zst" => ("zstd", Settings.CompressZstdOptions),
            _ => (null, string.Empty),
        };
        if (tool is null)
        {
            return;
        }

        var command = $"{tool} {options} -f {Bash.BashEvaluator.Quote(ko)}";
        var result = await processes.RunShellAsync(command, null, null, TimeSpan.FromMinutes(5), null, ct).ConfigureAwait(false);
        if (result.Succeeded && File.Exists(ko + suffix) && File.Exists(ko))
        {
            File.Delete(ko);
        }
        else if (!result.Succeeded && File.Exists(ko + suffix))
        {
            File.Delete(ko + suffix);
        }
    }
}
