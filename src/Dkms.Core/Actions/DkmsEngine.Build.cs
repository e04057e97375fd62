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
                _out.Line(M.AlreadyBuilt(mv, t));
                return 0;
            }

            Unbuild(mv, t);
        }

        await DoBuildAsync(mv, t, options, ct).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// dkms's do_build: the signing set-up, add if needed, checks, a fresh copy of the source, patches, PRE_BUILD,
    /// the clean command, make, signing and publishing the result, POST_BUILD, the clean command again.
    /// </summary>
    private async Task DoBuildAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var kernel = Kernel(t, options);
        var signing = await PrepareSigningAsync(kernel, ct).ConfigureAwait(false);
        if (!IsAdded(mv.Module, mv.Version))
        {
            RequireNotBroken(mv);
            await AddUnlockedAsync(mv, options, ct).ConfigureAwait(false);
        }

        Phase("prepare");
        var (m, v) = (mv.Module, mv.Version);
        var builtDir = Tree.BuiltDir(m, v, t.Kernel, t.Arch);
        if (Directory.Exists(builtDir))
        {
            throw new DkmsException(DkmsErrorKind.AlreadyExists, 3, M.AlreadyBuiltOn(t.Kernel, builtDir));
        }

        var conf = await ReadConfAsync(mv, t, options, strict: true, ct).ConfigureAwait(false);
        if (conf.IsExcluded)
        {
            throw new DkmsException(DkmsErrorKind.Excluded, 77, M.BuildExcluded(mv, builtDir, Tree.SourceLink(m, v)))
            {
                IsWarning = M.ExclusionIsWarning,
            };
        }

        var source = Tree.SourceLink(m, v);
        if (Directory.EnumerateFileSystemEntries(source).Take(2).Count() < 2)
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, 8, M.NoModuleSource(source));
        }

        PrepareKernel(kernel);
        CheckBuildDepends(mv, t, conf, options);

        var build = Tree.BuildDir(m, v);
        if (Directory.Exists(build))
        {
            if (Processes.OrphanGuard.StopStale(build))
            {
                _out.ErrLine(M.StoppedStaleBuild(mv));
            }

            Directory.Delete(build, recursive: true);
        }

        Directory.CreateDirectory(build);
        // Not -a: the build copy is the copier's (root's) even when the source tree is someone else's.
        await RunToolAsync("cp", ["-dR", "--preserve=mode,timestamps", source + "/.", build + "/"], M.CopyFailed(source, build)[0], 6, ct)
            .ConfigureAwait(false);
        var log = Path.Combine(build, "make.log");

        if (conf.Patches.Count > 0)
        {
            Phase("patch");
            await ApplyPatchesAsync(conf, build, ct).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(conf.PreBuild))
        {
            Phase("pre_build");
        }

        await RunBuildHookAsync("pre_build", "PRE_BUILD", conf.PreBuild, build, ct).ConfigureAwait(false);

        M.BuildingModule(_out);
        await CleanAsync(conf, build, ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(log, M.MakeLogHeader(mv, t, await DateLineAsync(ct).ConfigureAwait(false)), ct).ConfigureAwait(false);

        Phase("make", log);
        var env = new Dictionary<string, string>(kernel.CompilerEnvironment(), StringComparer.Ordinal);
        var make = MakeCommandLine(conf.MakeCommand, t.Kernel);
        var made = await RunStepAsync(new Step(make, make, build)
        {
            OutputFile = log,
            Background = true,
            VerboseText = M.MakeVerbose(make, log),
            Environment = env,
        }, ct).ConfigureAwait(false);
        if (!made.Succeeded)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 10,
                made.TimedOut ? M.BuildTimedOut(t, Settings.BuildTimeout, log) : M.BuildFailed(t, log));
        }

        foreach (var spec in conf.Modules)
        {
            var ko = PathGuard.Inside(build, spec.BuiltLocation + spec.BuiltName + ".ko", "BUILT_MODULE_LOCATION");
            if (!File.Exists(ko))
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, 7, M.BuiltModuleMissing(spec.BuiltName + ".ko", t, build, log));
            }
        }

        Phase(signing is null ? "publish" : "sign");
        await PublishBuildAsync(mv, t, kernel, signing, conf, build, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(conf.PostBuild))
        {
            Phase("post_build");
        }

        await RunBuildHookAsync("post_build", "POST_BUILD", conf.PostBuild, build, ct).ConfigureAwait(false);

        var logDir = Tree.BuiltLogDir(m, v, t.Kernel, t.Arch);
        File.Move(log, Path.Combine(logDir, "make.log"), overwrite: true);
        await CleanAsync(conf, build, ct).ConfigureAwait(false);
        Directory.Delete(build, recursive: true);
    }

    /// <summary>The clean command (CLEAN, or kbuild's clean), in the build copy; its status is shown, never fatal.</summary>
    private Task<Processes.ProcessResult> CleanAsync(DkmsConf conf, string build, CancellationToken ct) =>
        RunStepAsync(new Step(M.CleaningBuildArea, conf.CleanCommand, build) { Background = true }, ct);

    /// <summary>The date line of make.log, as date(1) prints it.</summary>
    private static async Task<string> DateLineAsync(CancellationToken ct)
    {
        var result = await Processes.ProcessRunner.RunAsync(new Processes.ProcessSpec("date", [])
        {
            ExtraEnvironment = new Dictionary<string, string>(StringComparer.Ordinal) { ["LC_ALL"] = "C" },
            Timeout = TimeSpan.FromSeconds(10),
        }, ct).ConfigureAwait(false);
        return result.Succeeded
            ? result.Stdout.TrimEnd('\n')
            : DateTime.Now.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
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
            throw new DkmsException(DkmsErrorKind.NotFound, 21, M.HeadersMissing(kernel.Kernel, Settings.InstallTree.TrimEnd('/')));
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
            _out.Warn(M.MissingBuildDependsForced(mv, t, list));
            return;
        }

        throw new DkmsException(DkmsErrorKind.FailedPrecondition, 13, M.MissingBuildDepends(mv, t, list));
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

    private async Task ApplyPatchesAsync(DkmsConf conf, string build, CancellationToken ct)
    {
        foreach (var patch in conf.Patches)
        {
            if (patch.Split('/').Contains("..") || Path.IsPathRooted(patch))
            {
                throw new DkmsException(DkmsErrorKind.BadConfiguration, 5, M.PatchOutside(patch));
            }

            var patchesDir = Path.Combine(build, "patches");
            var file = PathGuard.Inside(patchesDir, patch, "PATCH");
            if (!File.Exists(file))
            {
                throw new DkmsException(DkmsErrorKind.NotFound, 5, M.PatchMissing(patch, patchesDir));
            }

            // In the foreground, as dkms runs it: patch's own lines follow "applying patch ...".
            var result = await RunStepAsync(new Step(M.ApplyingPatch(patch), $"patch -p1 < {Bash.BashEvaluator.Quote(file)}", build)
            {
                VerboseText = $"patch -p1 < ./patches/{patch}",
            }, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, 6, M.PatchFailed(patch, build, Path.Combine(build, "make.log")));
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
