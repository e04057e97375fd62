using Dkms.Core.Artifacts;

namespace Dkms.Protocol;

public static partial class ProtoMapping
{
    public static V1.PreflightEntry ToProto(PreflightEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new V1.PreflightEntry
        {
            Module = new V1.ModuleRef { Name = e.Module, Version = e.Version },
            Verdict = e.Verdict switch
            {
                PreflightVerdict.Installed => V1.PreflightVerdict.Installed,
                PreflightVerdict.Cached => V1.PreflightVerdict.Cached,
                PreflightVerdict.Buildable => V1.PreflightVerdict.Buildable,
                PreflightVerdict.Excluded => V1.PreflightVerdict.Excluded,
                _ => V1.PreflightVerdict.Failing,
            },
            ContentKey = e.ContentKey ?? string.Empty,
            Detail = e.Detail,
        };
    }

    /// <summary>A preflight entry back in the engine's form; a verdict this client does not know counts as failing.</summary>
    public static PreflightEntry ToCore(V1.PreflightEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var verdict = e.Verdict switch
        {
            V1.PreflightVerdict.Installed => PreflightVerdict.Installed,
            V1.PreflightVerdict.Cached => PreflightVerdict.Cached,
            V1.PreflightVerdict.Buildable => PreflightVerdict.Buildable,
            V1.PreflightVerdict.Excluded => PreflightVerdict.Excluded,
            _ => PreflightVerdict.Failing,
        };
        return new PreflightEntry(e.Module?.Name ?? string.Empty, e.Module?.Version ?? string.Empty, verdict,
            e.ContentKey.Length > 0 ? e.ContentKey : null, e.Detail);
    }
}
