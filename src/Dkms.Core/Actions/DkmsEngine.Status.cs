using Dkms.Core.Status;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>dkms status</c>: one entry per added version, or per built kernel/arch of it, filtered by
    /// module, version and kernels (with <paramref name="kernels"/> the listing is repeated per kernel).
    /// </summary>
    public Task<IReadOnlyList<StatusEntry>> StatusAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        ActionOptions? options = null, CancellationToken ct = default) =>
        _ctx.Status.ReadAsync(module, version, kernels, options, ct);

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
}
