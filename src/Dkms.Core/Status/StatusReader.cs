using Dkms.Core.Actions;
using Dkms.Core.Conf;
using Dkms.Core.Errors;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Status;

/// <summary>
/// dkms's status from the tree: what each module version is (added, built, installed, broken) per kernel/arch, with
/// 3.0.10's remarks (original_module exists, built and installed copies differ). Prints nothing.
/// </summary>
public sealed class StatusReader
{
    private readonly TreeState _state;
    private readonly ModuleConfs _confs;

    internal StatusReader(TreeState state, ModuleConfs confs)
    {
        _state = state;
        _confs = confs;
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

    /// <summary>A built/installed line, or null when 3.0.10 would not call it built (a module file missing).</summary>
    private async Task<StatusEntry?> BuiltEntryAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        var moduleDir = _state.Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        if (!Directory.Exists(moduleDir))
        {
            return null;
        }

        DkmsConf conf;
        try
        {
            conf = await _confs.ReadAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false);
        }
        catch (DkmsException)
        {
            return null;
        }

        if (conf.Modules.Any(s => ModuleFiles.Find(moduleDir, s.DestName) is null))
        {
            return null;
        }

        var installed = _state.IsInstalled(m, v, t.Kernel, t.Arch);
        var suffixes = new List<string>();
        if (Directory.Exists(_state.Tree.OriginalModuleDir(m, t.Kernel, t.Arch)))
        {
            suffixes.Add("(original_module exists)");
        }

        if (installed)
        {
            var kernelDir = _state.Tree.InstallKernelDir(t.Kernel);
            foreach (var spec in conf.Modules)
            {
                var builtFile = ModuleFiles.Find(moduleDir, spec.DestName)!;
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
                    suffixes.Add("(WARNING! Diff between built and installed module!)");
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
