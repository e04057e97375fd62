using Dkms.Core.Status;

namespace Dkms.Daemon.LiveStatus;

/// <summary>
/// What <c>dkms status</c> says about one module/version, as the engine computed it from the disk: its entries for
/// every kernel directory by name (a kernel filter names a directory, kernel-like or not) and the unfiltered listing.
/// </summary>
/// <param name="Broken">The engine's broken entry, or null.</param>
/// <param name="Added">True when the version is added (its lines are listed).</param>
/// <param name="ByKernel">Built/installed entries per kernel directory name, arches in directory order.</param>
/// <param name="Unfiltered">The entries of the kernel-like directories, in the order <c>dkms status</c> lists them.</param>
internal sealed record VersionStatus(string Module, string Version, StatusEntry? Broken, bool Added,
    IReadOnlyDictionary<string, IReadOnlyList<StatusEntry>> ByKernel, IReadOnlyList<StatusEntry> Unfiltered)
{
    /// <summary>The lines of this version for one filter (null: no kernel filter), as the engine's StatusAsync adds them.</summary>
    public void AppendTo(List<StatusEntry> result, Core.Actions.KernelTarget? filter)
    {
        if (Broken is not null)
        {
            result.Add(Broken);
            return;
        }

        if (!Added)
        {
            return;
        }

        var before = result.Count;
        if (filter is null)
        {
            result.AddRange(Unfiltered);
        }
        else if (ByKernel.TryGetValue(filter.Kernel, out var entries))
        {
            // As dkms's glob: a kernel without an arch matches every arch.
            result.AddRange(filter.Arch.Length == 0 ? entries : entries.Where(e => e.Arch == filter.Arch));
        }

        if (result.Count == before)
        {
            result.Add(new StatusEntry(Module, Version, null, null, ModuleState.Added, []));
        }
    }
}
