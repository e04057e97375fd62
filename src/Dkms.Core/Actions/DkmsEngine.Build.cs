using System.Globalization;
using System.Text.RegularExpressions;
using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Platform;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary><c>build m/v -k …</c>: builds for each kernel; a failure on one does not stop the others.</summary>
    public Task<int> BuildAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, ActionOptions options, CancellationToken ct = default) =>
        ForEachKernelLockedAsync(mv, targets, t => BuildLockedAsync(mv, t, options, ct), ct);

    /// <summary>One kernel of <c>build</c>, with the module lock held.</summary>
    internal async Task<int> BuildLockedAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        if (IsBuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch))
        {
            if (!options.Force)
            {
                _out.Line($"Module {mv} already built for kernel {t}, skip. You may override by specifying --force.");
                return 0;
            }

            Unbuild(mv, t);
        }

        await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>dkms's do_build: add if needed, check, copy the source, patch, make, stage and publish.</summary>
    private async Task DoBuildAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        if (!IsAdded(mv.Module, mv.Version))
        {
            RequireNotBroken(mv);
            await AddUnlockedAsync(mv, options, ct).ConfigureAwait(false);
            _out.Line();
        }

        Phase("prepare");
        var (m, v) = (mv.Module, mv.Version);
        var builtDir = Tree.BuiltDir(m, v, t.Kernel, t.Arch);
        if (Directory.Exists(builtDir))
        {
            throw new DkmsException(DkmsErrorKind.AlreadyExists, 3, $"This module/version has already been built on: {t.Kernel}",
                $"Directory {builtDir} already exists. Use the dkms remove function before trying to build again.");
        }

        var kernel = Kernel(t, options);
        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        if (conf.IsExcluded)
        {
            throw new DkmsException(DkmsErrorKind.Excluded, 77,
                $"The {Tree.SourceLink(m, v)}/dkms.conf",
                $"for module {mv} includes a BUILD_EXCLUSIVE directive",
                "which does not match this kernel/arch/config.",
                "This indicates that it should not be built.")
            { IsWarning = true };
        }

        var source = Tree.SourceLink(m, v);
        if (Directory.EnumerateFileSystemEntries(source).Take(2).Count() < 2)
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, 8,
                $"The directory {source} does not appear to have module source located within it.", "Build halted.");
        }

        PrepareKernel(kernel);
        var signing = await PrepareSigningAsync(kernel, ct).ConfigureAwait(false);
        CheckBuildDepends(mv, t, conf, options);

        var build = Tree.BuildDir(m, v);
        if (Directory.Exists(build))
        {
            if (Processes.OrphanGuard.StopStale(build))
            {
                _out.ErrLine($"Stopped a build of {mv} left running by a process that was killed.");
            }

            Directory.Delete(build, recursive: true);
        }

        Directory.CreateDirectory(build);
        // Not -a: the build copy is the copier's (root's) even when the source tree is someone else's.
        await RunToolAsync("cp", ["-dR", "--preserve=mode,timestamps", source + "/.", build + "/"], $"Copying {source} to {build} failed", 6, ct)
            .ConfigureAwait(false);
        var log = Path.Combine(build, "make.log");
        await File.WriteAllTextAsync(log,
            $"DKMS ({CompatibleDkmsVersion}) make.log for {mv} for kernel {t}\n{DateTime.Now.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture)}\n", ct)
            .ConfigureAwait(false);

        if (conf.Patches.Count > 0)
        {
            Phase("patch", log);
            await ApplyPatchesAsync(conf, build, log, ct).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(conf.PreBuild))
        {
            Phase("pre_build", log);
        }

        await RunLoggedHookAsync("pre_build", "PRE_BUILD", conf.PreBuild, build, log, ct).ConfigureAwait(false);

        Phase("make", log);

        var env = new Dictionary<string, string>(kernel.CompilerEnvironment(), StringComparer.Ordinal);
        var make = MakeCommandLine(conf.MakeCommand, t.Kernel);
        var made = await InvokeLoggedAsync("Building module(s)", make, build, log, env, ct).ConfigureAwait(false);
        if (!made.Succeeded)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 10,
                made.TimedOut
                    ? $"The module build on kernel: {t} did not finish within {Settings.BuildTimeout.TotalSeconds:0} s and was stopped."
                    : $"Bad return status for module build on kernel: {t}",
                $"Consult {log} for more information.");
        }

        foreach (var spec in conf.Modules)
        {
            var ko = PathGuard.Inside(build, spec.BuiltLocation + spec.BuiltName + ".ko", "BUILT_MODULE_LOCATION");
            if (!File.Exists(ko))
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, 7,
                    $"Build of {spec.BuiltLocation}{spec.BuiltName}.ko failed for: {t}",
                    "Make sure the name and location of the generated module are correct,",
                    $"or consult {log} for more information.");
            }
        }

        Phase(signing is null ? "publish" : "sign");
        await PublishBuildAsync(mv, t, kernel, signing, conf, build, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(conf.PostBuild))
        {
            Phase("post_build", log);
        }

        await RunLoggedHookAsync("post_build", "POST_BUILD", conf.PostBuild, build, log, ct).ConfigureAwait(false);

        var logDir = Tree.BuiltLogDir(m, v, t.Kernel, t.Arch);
        File.Move(log, Path.Combine(logDir, "make.log"), overwrite: true);
        Directory.Delete(build, recursive: true);
    }

    /// <summary>The make command dkms runs: a leading <c>make</c> gets <c>-jN KERNELRELEASE=k</c>.</summary>
    internal string MakeCommandLine(string make, string kernel)
    {
        var jobs = Settings.ParallelJobs?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        return LeadingMake().IsMatch(make)
            ? LeadingMake().Replace(make, $"make -j{jobs} KERNELRELEASE={kernel}", 1)
            : make;
    }

    [GeneratedRegex(@"^make(?=\s|$)")]
    private static partial Regex LeadingMake();

    /// <summary>dkms's header check for <paramref name="t"/>: exit 21 with dkms's message when they are missing.</summary>
    public void RequireHeaders(KernelTarget t, ActionOptions options) => PrepareKernel(Kernel(t, options));

    /// <summary>What autoinstall prints before its first build: the signing tool and key (generated when missing).</summary>
    public Task PrepareSigningAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default) =>
        PrepareSigningAsync(Kernel(t, options), ct);

    /// <summary>The header check (exit 21), once per kernel per engine.</summary>
    private void PrepareKernel(KernelInfo kernel)
    {
        if (!kernel.HeadersPresent)
        {
            throw new DkmsException(DkmsErrorKind.NotFound, 21,
                $"Your kernel headers for kernel {kernel.Kernel} cannot be found at {Path.Combine(Settings.InstallTree, kernel.Kernel)}/build or {Path.Combine(Settings.InstallTree, kernel.Kernel)}/source.",
                $"Please install the linux-headers-{kernel.Kernel} package or use the --kernelsourcedir option to tell DKMS where it's located.");
        }

        lock (_preparedKernels)
        {
            _preparedKernels.Add(kernel.Kernel + "/" + kernel.Arch);
        }
    }

    private void CheckBuildDepends(ModuleRef mv, KernelTarget t, DkmsConf conf, ActionOptions options)
    {
        var missing = conf.BuildDepends.Where(d => !IsAnyVersionInstalled(d, t)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var list = string.Join(' ', missing);
        if (options.Force)
        {
            _out.Warn($"Trying to build module {mv} for kernel {t} despite of missing BUILD_DEPENDS: {list}.");
            return;
        }

        throw new DkmsException(DkmsErrorKind.FailedPrecondition, 13,
            $"Aborting build of module {mv} for kernel {t} due to missing BUILD_DEPENDS: {list}.",
            "You may override by specifying --force.");
    }

    /// <summary>True when some version of <paramref name="module"/> is installed on k/a.</summary>
    internal bool IsAnyVersionInstalled(string module, KernelTarget t)
    {
        if (NameValidator.Problem(module) is not null)
        {
            return false;
        }

        var moduleDir = Tree.ModuleDir(module);
        return Directory.Exists(moduleDir) && Directory.EnumerateDirectories(moduleDir)
            .Select(Path.GetFileName)
            .Any(v => v is not null && v != "original_module" && !v.StartsWith('.') && IsInstalled(module, v, t.Kernel, t.Arch));
    }

    private async Task ApplyPatchesAsync(DkmsConf conf, string build, string log, CancellationToken ct)
    {
        foreach (var patch in conf.Patches)
        {
            if (patch.Split('/').Contains("..") || Path.IsPathRooted(patch))
            {
                throw new DkmsException(DkmsErrorKind.BadConfiguration, 5,
                    $"Patch {patch} as specified in dkms.conf contains '..' path component.");
            }

            var patchesDir = Path.Combine(build, "patches");
            var file = PathGuard.Inside(patchesDir, patch, "PATCH");
            if (!File.Exists(file))
            {
                throw new DkmsException(DkmsErrorKind.NotFound, 5, $"Patch {patch} as specified in dkms.conf cannot be",
                    $"found in {patchesDir}/.");
            }

            var result = await InvokeLoggedAsync($"Applying patch {patch}", $"patch -p1 < {Bash.BashEvaluator.Quote(file)}", build, log, null, ct)
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, $"Application of patch {patch} failed.",
                    $"Consult {log} for more information.");
            }
        }
    }

    /// <summary>
    /// Strips, compresses and renames the built modules in a staging directory next to the result,
    /// then publishes it with one rename: a crash leaves either no build or a whole one.
    /// </summary>
    private async Task PublishBuildAsync(ModuleRef mv, KernelTarget t, KernelInfo kernel, Signing.SigningPlan? signing, DkmsConf conf,
        string build, CancellationToken ct)
    {
        var kernelDir = Tree.KernelDir(mv.Module, mv.Version, t.Kernel);
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
                    await RunToolAsync("strip", ["-g", ko], $"strip -g {ko} failed", 7, ct).ConfigureAwait(false);
                }

                if (signing is not null)
                {
                    await SignAsync(signing, ko, ct).ConfigureAwait(false); // before compression, as the kernel expects
                }

                var staged = Path.Combine(stagedModules, spec.DestName + ".ko");
                File.Copy(ko, staged, overwrite: true);
                await CompressAsync(staged, suffix, ct).ConfigureAwait(false);
            }

            File.SetUnixFileMode(staging, (UnixFileMode)Convert.ToInt32("755", 8));
            Libc.RenameOrThrow(staging, Tree.BuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch));
            Libc.FsyncDirectory(kernelDir);
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
        var result = await Processes.ProcessRunner.RunShellAsync(command, null, null, TimeSpan.FromMinutes(5), null, ct).ConfigureAwait(false);
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
