using Dkms.Core.Conf;
using Dkms.Core.Status;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>dkms status</c>: one entry per added version, or per built kernel/arch of it, filtered by
    /// module, version and kernels (with <paramref name="kernels"/> the listing is repeated per kernel).
    /// </summary>
    public async Task<IReadOnlyList<StatusEntry>> StatusAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        ActionOptions? options = null, CancellationToken ct = default)
    {
        options ??= ActionOptions.Default;
        var result = new List<StatusEntry>();
        var filters = kernels is { Count: > 0 } ? kernels.Select(k => (KernelTarget?)k).ToList() : [null];
        foreach (var filter in filters)
        {
            foreach (var (m, v) in ListVersions(module, version))
            {
                if (!IsAdded(m, v))
                {
                    if (IsBroken(m, v))
                    {
                        result.Add(new StatusEntry(m, v, null, null, ModuleState.Broken, []));
                    }

                    continue;
                }

                var any = false;
                foreach (var t in State.KernelDirs(m, v, filter))
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

    /// <summary>Prints status entries as dkms does: the lines on stdout, and for a broken one its error on stderr.</summary>
    public void PrintStatus(IEnumerable<StatusEntry> entries)
    {
        foreach (var e in entries)
        {
            _out.Line(e.ToLine());
            if (e.State == ModuleState.Broken)
            {
                _out.Error(M.BrokenStatus(e.Module, e.Version));
            }
        }
    }

    /// <summary>A built/installed line, or null when 3.0.10 would not call it built (a module file missing).</summary>
    private async Task<StatusEntry?> BuiltEntryAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        var moduleDir = Tree.BuiltModuleDir(m, v, t.Kernel, t.Arch);
        if (!Directory.Exists(moduleDir))
        {
            return null;
        }

        DkmsConf conf;
        try
        {
            conf = await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false);
        }
        catch (Errors.DkmsException)
        {
            return null;
        }

        if (conf.Modules.Any(s => ModuleFiles.Find(moduleDir, s.DestName) is null))
        {
            return null;
        }

        var installed = IsInstalled(m, v, t.Kernel, t.Arch);
        var suffixes = new List<string>();
        if (Directory.Exists(Tree.OriginalModuleDir(m, t.Kernel, t.Arch)))
        {
            suffixes.Add("(original_module exists)");
        }

        if (installed)
        {
            var kernelDir = Tree.InstallKernelDir(t.Kernel);
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

                    if (ModuleFiles.Find(dir, spec.DestName) is { } installedFile && ConfCache.Comparisons.FilesEqual(builtFile, installedFile))
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

        return new StatusEntry(m, v, t.Kernel, t.Arch, installed ? ModuleState.Installed : ModuleState.Built, suffixes);
    }
}
