using Dkms.Core.Conf;
using Dkms.Core.Status;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>Every module/version directory of the tree, in glob (C locale) order.</summary>
    public IEnumerable<(string Module, string Version)> ListVersions(string? module = null, string? version = null)
    {
        if (!Directory.Exists(Tree.Root))
        {
            yield break;
        }

        foreach (var mdir in Directory.EnumerateDirectories(Tree.Root).Order(StringComparer.Ordinal))
        {
            var m = Path.GetFileName(mdir);
            if (m.StartsWith('.') || (module is not null && m != module) || NameValidator.Problem(m) is not null)
            {
                continue;
            }

            foreach (var vdir in Directory.EnumerateFileSystemEntries(mdir).Order(StringComparer.Ordinal))
            {
                var v = Path.GetFileName(vdir);
                if (v.StartsWith('.') || v == "original_module" || IsKernelLinkName(v) || (version is not null && v != version)
                    || NameValidator.Problem(v) is not null || !Directory.Exists(vdir) && new FileInfo(vdir).LinkTarget is null)
                {
                    continue;
                }

                yield return (m, v);
            }
        }
    }

    private static bool IsKernelLinkName(string name) => name.StartsWith("kernel-", StringComparison.Ordinal) && name.IndexOf('-', 7) > 0;

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
                foreach (var t in KernelDirs(m, v, filter))
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

    private IEnumerable<KernelTarget> KernelDirs(string m, string v, KernelTarget? filter)
    {
        var versionDir = Tree.VersionDir(m, v);
        foreach (var kdir in Directory.EnumerateDirectories(versionDir).Order(StringComparer.Ordinal))
        {
            var k = Path.GetFileName(kdir);
            if (filter is not null ? k != filter.Kernel : !DkmsTree.LooksLikeKernel(k))
            {
                continue;
            }

            foreach (var adir in Directory.EnumerateDirectories(kdir).Order(StringComparer.Ordinal))
            {
                var a = Path.GetFileName(adir);
                if (!a.StartsWith('.') && (filter is null || filter.Arch.Length == 0 || filter.Arch == a))
                {
                    yield return new KernelTarget(k, a);
                }
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

        if (conf.Modules.Any(s => BuiltFile(moduleDir, s.DestName) is null))
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
                var builtFile = BuiltFile(moduleDir, spec.DestName)!;
                var matches = false;
                foreach (var location in new[] { spec.DestLocation, spec.ConfDestLocation }.Distinct())
                {
                    var dir = Path.Combine(kernelDir, location.TrimStart('/'));
                    if (!PathGuard.IsWithin(kernelDir, Path.GetFullPath(dir)))
                    {
                        continue;
                    }

                    if (BuiltFile(dir, spec.DestName) is { } installedFile && ConfCache.FilesEqual(builtFile, installedFile, FilesEqual))
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
