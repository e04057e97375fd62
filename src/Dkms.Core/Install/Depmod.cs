using Dkms.Core.Actions;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Processes;

namespace Dkms.Core.Install;

/// <summary>dkms's <c>depmod -a</c> step for one kernel of the install tree.</summary>
public sealed class Depmod
{
    private readonly DkmsSettings _settings;
    private readonly DkmsOutput _out;
    private readonly BuildLog _log;

    internal Depmod(DkmsSettings settings, DkmsOutput output, BuildLog log)
    {
        _settings = settings;
        _out = output;
        _log = log;
    }

    private DkmsMessages M => _out.Messages;

    /// <summary>
    /// Runs <c>depmod -a</c> for the kernel against the configured install tree (dkms ignores
    /// <c>--installtree</c> here, §13.9). Prints dkms's line even with <paramref name="lineOnly"/> (<c>--no-depmod</c>).
    /// </summary>
    public async Task RunAsync(string kernel, bool lineOnly, CancellationToken ct)
    {
        if (lineOnly)
        {
            await _log.RunStepAsync(new Step(M.Depmod, "true", "/") { Background = true, VerboseText = M.DepmodVerbose(kernel), Guarded = false }, ct)
                .ConfigureAwait(false);
            return;
        }

        var tree = Path.GetFullPath(_settings.InstallTree).TrimEnd('/');
        var modulesDep = Path.Combine(tree, kernel, "modules.dep");
        if (_settings.Profile.DepmodNeedsModulesDep && !File.Exists(modulesDep))
        {
            // 3.2+: the kernel's image is not unpacked (headers only), so depmod must not create its modules.dep. dkms
            // says so inside its step, whose output only --verbose shows; the step's line is printed all the same.
            await _log.RunStepAsync(new Step(M.Depmod, "true", "/")
            {
                Background = true,
                VerboseText = $"Skipping depmod because '{modulesDep}' is missing.",
                Guarded = false,
            }, ct).ConfigureAwait(false);
            return;
        }

        string? scratch = null;
        string baseDir;
        if (tree.EndsWith("/lib/modules", StringComparison.Ordinal))
        {
            baseDir = tree[..^"/lib/modules".Length];
        }
        else
        {
            // depmod -b wants <base>/lib/modules: give it one that leads to our tree.
            scratch = Directory.CreateTempSubdirectory("dkms-depmod-").FullName;
            Directory.CreateDirectory(Path.Combine(scratch, "lib"));
            File.CreateSymbolicLink(Path.Combine(scratch, "lib", "modules"), tree);
            baseDir = scratch;
        }

        try
        {
            var args = new List<string> { "depmod", "-a" };
            if (baseDir.Length > 0)
            {
                args.AddRange(["-b", baseDir]);
            }

            args.Add(kernel);
            var command = string.Join(' ', args.Select(Bash.BashEvaluator.Quote));
            var result = await _log.RunStepAsync(new Step(M.Depmod, command, "/") { Background = true, VerboseText = M.DepmodVerbose(kernel), Guarded = false }, ct)
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.InstallFailed, M.DepmodFailed(result.ExitCode));
            }

            if (_settings.Profile.DepmodNeedsModulesDep)
            {
                RemoveEmptyIndex(Path.Combine(tree, kernel));
            }
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>
    /// 3.2+: an empty modules.dep means the last module of a kernel that is no longer installed is gone; its index
    /// files and, when nothing else is left, its directory go with it.
    /// </summary>
    private static void RemoveEmptyIndex(string kernelDir)
    {
        var dep = new FileInfo(Path.Combine(kernelDir, "modules.dep"));
        if (!dep.Exists || dep.Length > 0)
        {
            return;
        }

        string[] names = ["modules.alias", "modules.dep", "modules.devname", "modules.softdep", "modules.symbols", "modules.weakdep"];
        foreach (var file in names.Select(n => Path.Combine(kernelDir, n)).Concat(Directory.EnumerateFiles(kernelDir, "modules.*.bin")).ToList())
        {
            File.Delete(file);
        }

        if (!Directory.EnumerateFileSystemEntries(kernelDir).Any())
        {
            Directory.Delete(kernelDir);
        }
    }
}
