using System.Globalization;
using System.Text.RegularExpressions;
using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Processes;
using Dkms.Core.Validation;

namespace Dkms.Core.Build;

/// <summary>The steps of a build in its build directory, as dkms runs them: patches, the clean command, make.</summary>
internal sealed partial class BuildSteps(DkmsSettings settings, DkmsOutput output, BuildLog log)
{
    private DkmsMessages M => output.Messages;

    /// <summary>PATCH: each patch of <c>patches/</c> applied with <c>patch -p1</c>, in the foreground.</summary>
    /// <param name="logFile">3.2+: each patch is an <c>Applying patch …... done.</c> step, its output appended to this make.log.</param>
    public async Task ApplyPatchesAsync(DkmsConf conf, string build, CancellationToken ct, string? logFile = null)
    {
        foreach (var patch in conf.Patches)
        {
            if (patch.Split('/').Contains("..") || Path.IsPathRooted(patch))
            {
                throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.PatchFailed, M.PatchOutside(patch));
            }

            var patchesDir = Path.Combine(build, "patches");
            var file = PathGuard.Inside(patchesDir, patch, "PATCH");
            if (!File.Exists(file))
            {
                throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.PatchFailed, M.PatchMissing(patch, patchesDir));
            }

            // 3.0: in the foreground, as dkms runs it: patch's own lines follow "applying patch ...". 3.2+: into make.log.
            var step = logFile is null
                ? new Step(M.ApplyingPatch(patch), $"patch -p1 < {Bash.BashEvaluator.Quote(file)}", build) { VerboseText = $"patch -p1 < ./patches/{patch}" }
                : new Step(M.ApplyingPatch(patch), $"patch -p1 < {Hooks.ShellWord("./patches/" + patch)}", build) { OutputFile = logFile, Background = true };
            var result = await log.RunStepAsync(step, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.BuildStepFailed,
                    [.. M.PatchFailed(patch, build, Path.Combine(build, "make.log")), .. result.Refusal?.Explain(build) ?? []]);
            }
        }
    }

    /// <summary>
    /// A build found in the local cache or the registry, shown as the profile shows a build before its modules are
    /// published: each patch, PRE_BUILD, the clean command and make, as done. Their work is in the found build (package
    /// code writes only its build directory) and 3.2+'s make.log, restored with it, holds what they printed.
    /// </summary>
    /// <remarks>The patches and PRE_BUILD here; the clean command and make after the build's heading (<see cref="ShowFoundMake"/>).</remarks>
    public void ShowFoundPreparation(DkmsConf conf)
    {
        foreach (var patch in conf.Patches)
        {
            ShowDone(M.ApplyingPatch(patch));
        }

        if (!string.IsNullOrEmpty(conf.PreBuild))
        {
            ShowScript("pre_build", settings.Profile.BuildScriptsAreLoggedSteps);
        }
    }

    /// <summary>A found build's clean command and make, shown as done (see <see cref="ShowFoundPreparation"/>).</summary>
    public void ShowFoundMake(DkmsConf conf, string kernel)
    {
        ShowFoundClean();
        ShowDone(M.MakeStep(MakeCommandLine(conf.MakeCommand, kernel)));
    }

    /// <summary>What a found build shows after its modules are published: POST_BUILD and the clean command, as done.</summary>
    public void ShowFoundBuildEnd(DkmsConf conf)
    {
        if (!string.IsNullOrEmpty(conf.PostBuild))
        {
            ShowScript("post_build", settings.Profile.BuildScriptsAreLoggedSteps);
        }

        ShowFoundClean();
    }

    private void ShowFoundClean()
    {
        if (settings.Profile.RunsCleanCommand)
        {
            ShowDone(M.CleaningBuildArea);
        }
    }

    private void ShowScript(string type, bool logged)
    {
        if (logged)
        {
            ShowDone(M.RunningScriptStep(type));
        }
        else
        {
            M.RunningScript(output, type);
        }
    }

    private void ShowDone(string description)
    {
        output.Text(M.StepStarted(description));
        output.Line(M.StepEnded(0));
    }

    /// <summary>The clean command (CLEAN, or kbuild's clean), in the build copy; its status is shown, never fatal.</summary>
    public Task<ProcessResult> CleanAsync(DkmsConf conf, string build, CancellationToken ct) =>
        settings.Profile.RunsCleanCommand
            ? log.RunStepAsync(new Step(M.CleaningBuildArea, conf.CleanCommand, build) { Background = true }, ct)
            : Task.FromResult(new ProcessResult(0, false, TimeSpan.Zero, string.Empty, string.Empty)); // 3.2+ never cleans

    /// <summary>make (MAKE, or kbuild's) with the kernel's compiler, its output appended to <paramref name="makeLog"/>; exit 10 when it fails.</summary>
    /// <param name="extra">Variables set after the compiler's (3.4's build_environment).</param>
    public async Task MakeAsync(DkmsConf conf, KernelTarget t, KernelInfo kernel, string build, string makeLog, CancellationToken ct,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>(kernel.CompilerEnvironment(), StringComparer.Ordinal);
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        var make = MakeCommandLine(conf.MakeCommand, t.Kernel);
        var made = await log.RunStepAsync(new Step(M.MakeStep(make), make, build)
        {
            OutputFile = makeLog,
            Background = true,
            VerboseText = M.MakeVerbose(make, makeLog),
            Environment = env,
        }, ct).ConfigureAwait(false);
        if (!made.Succeeded)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.MakeFailed,
                made.TimedOut ? M.BuildTimedOut(t, settings.BuildTimeout, makeLog)
                    : [.. M.BuildFailed(t, makeLog), .. made.Refusal?.Explain(build) ?? []]);
        }
    }

    /// <summary>The make command dkms runs: a leading <c>make</c> gets <c>-jN KERNELRELEASE=k</c>.</summary>
    private string MakeCommandLine(string make, string kernel)
    {
        var jobs = settings.ParallelJobs?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        return LeadingMake().IsMatch(make)
            ? LeadingMake().Replace(make, $"make -j{jobs} KERNELRELEASE={kernel}", 1)
            : make;
    }

    [GeneratedRegex(@"^make(?=\s|$)")]
    private static partial Regex LeadingMake();
}
