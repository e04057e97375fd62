using Dkms.Core.Actions;
using Dkms.Core.Compat;
using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Status;

/// <summary>
/// dkms's status from the tree: what each module version is (added, built, installed, broken) per kernel/arch, with
/// the profile's remarks (an original module is kept, built modules are missing, built and installed copies differ).
/// Prints nothing.
/// </summary>
public sealed class StatusReader
{
    private readonly TreeState _state;
    private readonly ModuleConfs _confs;
    private readonly DkmsProfile _profile;

    internal StatusReader(TreeState state, ModuleConfs confs, DkmsProfile profile)
    {
        _state = state;
        _confs = confs;
        _profile = profile;
    }

    /// <summary>
    /// <c>dkms status</c>: one entry per added version, or per built kernel/arch of it, filtered by
    /// module, version and kernels (with <paramref name="kernels"/> the listing is repeated per kernel).
    /// </summary>
    public async Task<IReadOnlyList<StatusEntry>> ReadAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        ActionOptions? options = null, CancellationToken ct = default)
    {
        options ??= ActionOptions.Default;
        var result = new List<StatusEntry>();
        var filters = kernels is { Count: > 0 } ? kernels.Select(k => (KernelTarget?)k).ToList() : [null];
        foreach (var filter in filters)
        {
            foreach (var (m, v) in _state.ListVersions(module, version))
            {
                if (!_state.IsAdded(m, v))
                {
                    if (_state.IsBroken(m, v))
                    {
                        result.Add(new StatusEntry(m, v, null, null, ModuleState.Broken, []));
                    }

                    continue;
                }

                var any = false;
                foreach (var t in _state.KernelDirs(m, v, filter))
                {
                    var entry = await BuiltEntryAsync(new ModuleRef(m, v), t, options, ct).ConfigureAwait(false);
                    if (entry is not null)
                    {
                        result.Add(entry);
                        any = true;
                    }
                }

                if (!any)
                {
                    result.Add(new StatusEntry(m, v, null, null, ModuleState.Added, []));
                }
            }
        }

        return result;
    }

    /// <summary>A built/installed line, or null when the profile would not call it built (3.0: a module file missing).</summary>
    private async Task<StatusEntry?> BuiltEntryAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        var moduleDir = _state.Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        if (!Directory.Exists(moduleDir))
        {
            return null;
        }

        var words = _profile.Messages;
        DkmsConf? conf;
        try
        {
            conf = await _confs.ReadAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false);
        }
        catch (DkmsException)
        {
            conf = null;
        }

        // 3.0 calls a version built only when every module is there (a bad dkms.conf: not built); later releases
        // when the directory exists, with one remark for the missing modules (3.4 leaves out the excluded ones).
        var missing = conf is null || conf.Modules.Any(s => ModuleFiles.Find(moduleDir, s.DestName) is null);
        if (_profile.StatusBuiltNeedsEveryModule && missing)
        {
            return null;
        }

        var installed = _state.IsInstalled(m, v, t.Kernel, t.Arch);
        var suffixes = new List<string>();
        if (Directory.Exists(_state.Tree.OriginalModuleDir(m, t.Kernel, t.Arch)))
        {
            suffixes.Add(words.StatusOriginalExists);
        }

        if (conf is null)
        {
            return new StatusEntry(m, v, t.Kernel, t.Arch, installed ? ModuleState.Installed : ModuleState.Built, suffixes);
        }

        if (missing)
        {
            suffixes.Add(words.StatusBuiltModulesMissing);
        }

        if (installed)
        {
            var kernelDir = _state.Tree.InstallKernelDir(t.Kernel);
            foreach (var spec in conf.Modules)
            {
                if (ModuleFiles.Find(moduleDir, spec.DestName) is not { } builtFile)
                {
                    continue;
                }

                var matches = false;
                foreach (var location in new[] { spec.DestLocation, spec.ConfDestLocation }.Distinct())
                {
                    var dir = Path.Combine(kernelDir, location.TrimStart('/'));
                    if (!PathGuard.IsWithin(kernelDir, Path.GetFullPath(dir)))
                    {
                        continue;
                    }

                    if (ModuleFiles.Find(dir, spec.DestName) is { } installedFile && _confs.Cache.Comparisons.FilesEqual(builtFile, installedFile))
                    {
                        matches = true;
                        break;
                    }
                }

                if (!matches)
                {
                    suffixes.Add(words.StatusBuiltAndInstalledDiffer);
                    if (_profile.StatusSuffixOncePerKind)
                    {
                        break;
                    }
                }
            }
        }

        var origin = Artifacts.ArtifactOrigin.ReadFrom(_state.Tree.BuiltLogDir(m, v, t.Kernel, t.Arch));
        return new StatusEntry(m, v, t.Kernel, t.Arch, installed ? ModuleState.Installed : ModuleState.Built, suffixes)
        {
            ContentKey = origin?.Key,
            Origin = origin?.Origin,
        };
    }
}
